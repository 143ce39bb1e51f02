"""Scalping: buy a dip below the short EMA on a tick, sell the bounce above it."""

from __future__ import annotations

from typing import Any, ClassVar

from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.market.reader import MarketReading
from claudedex.strategy.base import Strategy
from claudedex.strategy.params import RunnerParams, ScalpingParams, own_defaults
from claudedex.strategy.patterns import PatternAnalyzer


class ScalpingStrategy(Strategy):
    name: ClassVar[str] = "scalping"
    params_model: ClassVar[type[RunnerParams] | None] = ScalpingParams
    defaults: ClassVar[dict[str, Any]] = own_defaults(ScalpingParams)

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params)
        p = self.params
        self.analyzer = PatternAnalyzer(int(p["ema_fast"]), int(p["ema_slow"]), 14)
        self._entry = int(p["entry_bps"]) / 10_000
        self._exit = int(p["exit_bps"]) / 10_000
        self.startup_candle_count = self.analyzer.warmup
        self._rsi_min = float(p["rsi_min"])

    def evaluate(self, pair: str, view: MarketReading, clock: Clock) -> list[Signal]:
        pat = self.analyzer.update(pair, view)
        price = view.price(pair)
        if not pat.ready or price is None or pat.ema_slow <= 0:
            return []
        token = view.pair_token.get(pair, pair)
        dev = price / pat.ema_slow - 1.0
        held = view.portfolio.positions.get(token, 0) > 0
        if not held and dev <= -self._entry and pat.rsi >= self._rsi_min:
            return [self.signal(pair, token, "buy", f"dip {dev * 1e4:.0f} bps under ema")]
        if held and dev >= self._exit:
            return [self.signal(pair, token, "sell", f"bounce {dev * 1e4:.0f} bps over ema")]
        return []
