"""A strategy file for the parity test: trades often, after a one-candle warm-up.

Buys a pool whose last ``lookback`` closed candles each closed above their open, sells a
holding whose last candle closed below its open. Its own parameter (``lookback``) is all
it gets: the devnet profile's momentum knobs are not passed to it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.market.view import MarketView
from claudedex.strategy import Strategy


class UpDown(Strategy):
    name: ClassVar[str] = "updown"
    defaults: ClassVar[dict[str, Any]] = {"lookback": 1}

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params)
        self.startup_candle_count = int(self.params["lookback"])

    def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
        n = int(self.params["lookback"])
        candles = view.candles(pair)
        if len(candles) < n:
            return []
        token = view.pair_token.get(pair, pair)
        held = view.portfolio.positions.get(token, 0) > 0
        last = list(candles)[-n:]
        if not held and all(c.close > c.open for c in last):
            return [self.signal(pair, token, "buy", f"{n} candle(s) up")]
        if held and last[-1].close < last[-1].open:
            return [self.signal(pair, token, "sell", "candle down")]
        return []
