"""DexScreener-shaped JSON and the social feed, served by the real aiohttp app."""

from __future__ import annotations

import random
import time
from decimal import Decimal

from aiohttp.test_utils import TestClient, TestServer

from claudedex.devnet.http_server import make_app
from claudedex.devnet.pricebook import PairBook, PriceBook
from claudedex.devnet.social import SocialFeed

TOKEN = "0x" + "11" * 20
PAIR = "0x" + "22" * 20
WETH = "0x" + "33" * 20


def _book() -> PriceBook:
    book = PriceBook("http://dex.local")
    pb = PairBook(pair=PAIR, venue="uniswap", token=TOKEN, name="[red]X[/red]", symbol="X",
                  decimals=18, total_supply=10**9 * 10**18, created_at=time.time() - 100,
                  weth=WETH)  # fmt: skip
    book.add(pb)
    book.update_reserves(PAIR, 500_000 * 10**18, 5 * 10**18)
    book.record_trade(PAIR, "buy", 10**18)
    book.record_trade(PAIR, "sell", 5 * 10**17)
    return book


def test_render_is_exact_and_shaped() -> None:
    pair = _book().by_pairs([PAIR.upper().replace("0X", "0x")])[0]
    assert pair["priceNative"] == "0.00001"
    assert Decimal(pair["priceUsd"]) == Decimal("0.03")
    assert pair["baseToken"] == {"address": TOKEN, "name": "[red]X[/red]", "symbol": "X"}
    assert pair["txns"]["m5"] == {"buys": 1, "sells": 1}
    assert pair["volume"]["h24"] == 4500.0
    assert pair["liquidity"] == {"usd": 30000.0, "base": 500000.0, "quote": 5.0}
    assert set(pair["priceChange"]) == {"m5", "h1", "h6", "h24"}
    assert pair["fdv"] == 30_000_000.0
    assert isinstance(pair["pairCreatedAt"], int)


async def test_http_endpoints() -> None:
    feed = SocialFeed(random.Random(1))
    feed.on_launch(TOKEN, "X", "X", "uniswap")
    async with TestClient(TestServer(make_app(_book(), feed))) as client:
        body = await (await client.get(f"/latest/dex/pairs/devnet/{PAIR},0xdead")).json()
        assert body["schemaVersion"] == "1.0.0" and len(body["pairs"]) == 1
        body = await (await client.get(f"/latest/dex/pairs/ethereum/{PAIR}")).json()
        assert body["pairs"] is None
        body = await (await client.get(f"/latest/dex/tokens/{TOKEN}")).json()
        assert body["pairs"][0]["pairAddress"] == PAIR
        profiles = await (await client.get("/token-profiles/latest/v1")).json()
        assert profiles[0]["tokenAddress"] == TOKEN and profiles[0]["chainId"] == "devnet"
        posts = await (await client.get("/posts?since=0")).json()
        assert posts["posts"] and posts["next"] == len(feed)
        later = await (await client.get(f"/posts?since={posts['next']}")).json()
        assert later == {"posts": [], "next": posts["next"]}
        assert (await client.get("/posts?since=abc")).status == 400
