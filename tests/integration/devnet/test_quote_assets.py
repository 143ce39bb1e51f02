"""The devnet's stable quote assets: deployed with deep WETH pools, named in the manifest,
routed through by the devnet profile, and used by the market for stable-deep launches."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from claudedex.builder import apply_manifest
from claudedex.config import load_profile
from claudedex.devnet.accounts import TOTAL_ACCOUNTS
from claudedex.devnet.labels import read_labels
from claudedex.devnet.market import MarketConfig
from claudedex.devnet.quotes import POOL_ETH, stable_contract, usd_units
from claudedex.devnet.service import DevnetOptions, DevnetService
from claudedex.devnet.sim import build_market
from claudedex.devnet.stablelaunch import THIN_POOL_WEI
from claudedex.devnet.testing import connect, start_devnet_chain
from claudedex.devnet.tokens import PlainErc20Source
from claudedex.devnet.uniswap import Venue, factory_contract, pair_contract

pytestmark = pytest.mark.anvil


def _reserves(w3: object, pair: str, token: str) -> tuple[int, int]:
    """(reserve of ``token``, reserve of the other side) of ``pair``."""
    c = pair_contract(w3, pair)  # type: ignore[arg-type]
    r0, r1, _ = c.functions.getReserves().call()
    return (r0, r1) if c.functions.token0().call().lower() == token.lower() else (r1, r0)


async def test_devnet_up_deploys_stables_and_the_profile_routes_through_them(
        tmp_path: Path) -> None:
    service = DevnetService(DevnetOptions(data_dir=tmp_path, market=False))
    manifest = await service.start()
    try:
        assert [(q["symbol"], q["decimals"]) for q in manifest.quotes] == [("USDC", 6),
                                                                          ("USDT", 6)]
        w3 = connect(manifest.rpc_url)
        for q in manifest.quotes:
            coin = stable_contract(w3, q["address"])
            assert coin.functions.decimals().call() == 6
            assert coin.functions.symbol().call() == q["symbol"]
            for venue in manifest.venues.values():
                pair = factory_contract(w3, _venue(venue)).functions.getPair(
                    q["address"], manifest.weth).call()
                stable, eth = _reserves(w3, pair, q["address"])
                # 500 ETH against 1,500,000.000000 (the devnet's 3000 USD per ETH)
                assert (stable, eth) == (1_500_000 * 10**6, POOL_ETH)
        profile = apply_manifest(load_profile("devnet"), manifest)
        assert profile.chain.route_via == tuple(q["address"] for q in manifest.quotes)
    finally:
        await service.stop()


def _venue(addrs: dict[str, str]) -> Venue:
    return Venue("v", addrs["factory"], addrs["router"])


def test_market_launches_tokens_deep_against_a_stable_with_a_dust_weth_pool(
        tmp_path: Path) -> None:
    anvil, w3, deployment = start_devnet_chain(accounts=TOTAL_ACCOUNTS, data_dir=tmp_path,
                                               quotes=True)
    try:
        market = build_market(w3, deployment, anvil.accounts, tmp_path,
                              MarketConfig(seed=7, launch_rate_per_min=Decimal(60), tick_s=1.0),
                              PlainErc20Source())
        stable_launches: list[dict[str, object]] = []
        for _ in range(16):  # each tick launches (rate 60/min, 1 s ticks); half on a stable
            market.tick()
            labels = read_labels(tmp_path / "labels.jsonl")
            stable_launches = [r for r in labels if r["event"] == "launch"
                               and r["quote"] in ("USDC", "USDT")]
            if len(stable_launches) >= 2:
                break
        for _ in range(4):
            market.tick()  # the traders trade them too
        assert len(stable_launches) >= 2, "no stable-deep launch in 16 launches"
        quotes = {q.symbol: q.address for q in deployment.quotes}
        for rec in stable_launches:
            token, venue = str(rec["token"]), deployment.venues[str(rec["venue"])]
            factory = factory_contract(w3, venue)
            deep = factory.functions.getPair(token, quotes[str(rec["quote"])]).call()
            thin = factory.functions.getPair(token, deployment.weth).call()
            assert deep == rec["pair"]
            _, eth_thin = _reserves(w3, thin, token)
            _, stable_deep = _reserves(w3, deep, token)
            # the dust pool holds its 0.01 ETH (traders route around it); the stable pool
            # holds the launch's 1-20 ETH worth of USDC/USDT (6 decimals)
            assert eth_thin == THIN_POOL_WEI
            assert stable_deep > 50 * usd_units(eth_thin, 6)
            book = market.book.by_tokens([token])
            assert len(book) == 1 and Decimal(book[0]["priceNative"]) > 0
        live = [t for t in market.tokens if t.quote]
        assert any(len(set(t.prices)) > 1 for t in live)  # traded through the stable
        assert market.stats.swaps_ok > 0
    finally:
        anvil.stop()
