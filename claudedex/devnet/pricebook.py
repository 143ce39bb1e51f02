"""What the market knows about its pairs, rendered in DexScreener's documented JSON shape.

Why a book kept by the simulator (not chain reads per HTTP request): the HTTP server must
stay responsive while the market thread sends transactions; the market updates reserves
after each tick it touched a pair. Prices are exact Decimals from integer reserves; the USD
figures use a fixed devnet ETH price (there is no oracle on devnet).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ETH_USD = Decimal("3000")
DEX_CHAIN_ID = "devnet"
WINDOWS: dict[str, float] = {"m5": 300, "h1": 3600, "h6": 21600, "h24": 86400}


@dataclass
class PairBook:
    """One pair: token metadata, latest reserves, trade and price history."""

    pair: str
    venue: str
    token: str
    name: str
    symbol: str
    decimals: int
    total_supply: int
    created_at: float
    weth: str
    reserve_token: int = 0
    reserve_weth: int = 0
    trades: deque[tuple[float, str, int]] = field(default_factory=lambda: deque(maxlen=20_000))
    prices: deque[tuple[float, Decimal]] = field(default_factory=lambda: deque(maxlen=20_000))
    description: str = ""
    # the pool's quote token when it is a stable (``weth`` then holds its address): the
    # reserves stay in wei, valued through the stable's own WETH pool by the market
    quote_symbol: str = "WETH"

    def price_native(self) -> Decimal:
        """WETH per whole token (both scaled by their decimals)."""
        if self.reserve_token == 0:
            return Decimal(0)
        weth = Decimal(self.reserve_weth) / Decimal(10**18)
        tok = Decimal(self.reserve_token) / Decimal(10**self.decimals)
        return weth / tok

    def price_at(self, ts: float) -> Decimal | None:
        """The last recorded price at or before ``ts`` (the first one if none)."""
        best: Decimal | None = None
        for when, price in self.prices:
            if when > ts:
                break
            best = price
        if best is None and self.prices:
            best = self.prices[0][1]
        return best


def _num(value: Decimal) -> float:
    return float(round(value, 2))


def _dec_str(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


class PriceBook:
    """Thread-safe collection of PairBooks keyed by pair and token address (lowercase)."""

    def __init__(self, base_url: str = "http://127.0.0.1") -> None:
        self._pairs: dict[str, PairBook] = {}
        self._lock = threading.Lock()
        self.base_url = base_url

    def add(self, book: PairBook) -> None:
        with self._lock:
            self._pairs[book.pair.lower()] = book
            book.prices.append((book.created_at, book.price_native()))

    def update_reserves(self, pair: str, reserve_token: int, reserve_weth: int) -> None:
        with self._lock:
            book = self._pairs[pair.lower()]
            book.reserve_token, book.reserve_weth = reserve_token, reserve_weth
            book.prices.append((time.time(), book.price_native()))

    def record_trade(self, pair: str, side: str, weth_amount: int) -> None:
        with self._lock:
            self._pairs[pair.lower()].trades.append((time.time(), side, weth_amount))

    def books(self) -> list[PairBook]:
        with self._lock:
            return list(self._pairs.values())

    def by_pairs(self, addresses: list[str]) -> list[dict[str, Any]]:
        wanted = {a.lower() for a in addresses}
        with self._lock:
            return [self._render(b) for key, b in self._pairs.items() if key in wanted]

    def by_tokens(self, addresses: list[str]) -> list[dict[str, Any]]:
        wanted = {a.lower() for a in addresses}
        with self._lock:
            return [self._render(b) for b in self._pairs.values() if b.token.lower() in wanted]

    def profiles(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._lock:
            newest = sorted(self._pairs.values(), key=lambda b: b.created_at, reverse=True)
            return [self._profile(b) for b in newest[:limit]]

    def _profile(self, b: PairBook) -> dict[str, Any]:
        return {
            "url": f"{self.base_url}/{DEX_CHAIN_ID}/{b.token}",
            "chainId": DEX_CHAIN_ID,
            "tokenAddress": b.token,
            "icon": f"{self.base_url}/icons/{b.token}.png",
            "header": None,
            "description": b.description,
            "links": [{"type": "social", "label": "Feed", "url": f"{self.base_url}/posts"}],
        }

    def _render(self, b: PairBook, now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        price = b.price_native()
        txns: dict[str, dict[str, int]] = {}
        volume: dict[str, float] = {}
        change: dict[str, float] = {}
        for window, seconds in WINDOWS.items():
            since = now - seconds
            recent = [t for t in b.trades if t[0] >= since]
            txns[window] = {
                "buys": sum(1 for t in recent if t[1] == "buy"),
                "sells": sum(1 for t in recent if t[1] == "sell"),
            }
            wei = sum(t[2] for t in recent)
            volume[window] = _num(Decimal(wei) / Decimal(10**18) * ETH_USD)
            old = b.price_at(since)
            change[window] = _num((price / old - 1) * 100) if old else 0.0
        supply = Decimal(b.total_supply) / Decimal(10**b.decimals)
        fdv = _num(supply * price * ETH_USD)
        return {
            "chainId": DEX_CHAIN_ID,
            "dexId": b.venue,
            "url": f"{self.base_url}/{DEX_CHAIN_ID}/{b.pair}",
            "pairAddress": b.pair,
            "baseToken": {"address": b.token, "name": b.name, "symbol": b.symbol},
            "quoteToken": {"address": b.weth, "symbol": b.quote_symbol,
                           "name": "Wrapped Ether" if b.quote_symbol == "WETH"
                           else b.quote_symbol},
            "priceNative": _dec_str(price),
            "priceUsd": _dec_str(price * ETH_USD),
            "txns": txns,
            "volume": {k: volume[k] for k in ("h24", "h6", "h1", "m5")},
            "priceChange": {k: change[k] for k in ("m5", "h1", "h6", "h24")},
            "liquidity": {
                "usd": _num(Decimal(b.reserve_weth) / Decimal(10**18) * ETH_USD * 2),
                "base": _num(Decimal(b.reserve_token) / Decimal(10**b.decimals)),
                "quote": _num(Decimal(b.reserve_weth) / Decimal(10**18)),
            },
            "fdv": fdv,
            "marketCap": fdv,
            "pairCreatedAt": int(b.created_at * 1000),
        }
