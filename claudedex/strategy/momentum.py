"""Momentum: enter on an EMA cross-up confirmed by RSI (and optionally volume/breakout)."""

from __future__ import annotations

from typing import Any, ClassVar

from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.market.view import MarketView
from claudedex.strategy.base import Strategy
from claudedex.strategy.params import MomentumParams, RunnerParams, own_defaults
from claudedex.strategy.patterns import PatternAnalyzer


class MomentumStrategy(Strategy):
    name: ClassVar[str] = "momentum"
    params_model: ClassVar[type[RunnerParams] | None] = MomentumParams
    defaults: ClassVar[dict[str, Any]] = own_defaults(MomentumParams)

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params)
        p = self.params
        self.analyzer = PatternAnalyzer(
            int(p["ema_fast"]),
            int(p["ema_slow"]),
            int(p["rsi_period"]),
            breakout_lookback=int(p["breakout_lookback"]),
        )
        self.startup_candle_count = self.analyzer.warmup
        self._rsi_max = float(p["rsi_max"])
        self._vol = float(p["volume_mult"])
        self._brk = bool(p["require_breakout"])

    def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
        pat = self.analyzer.update(pair, view)
        token = view.pair_token.get(pair, pair)
        held = view.portfolio.positions.get(token, 0) > 0
        if not held and pat.crossed_up and pat.rsi < self._rsi_max:
            if self._vol > 0 and pat.volume_ratio < self._vol:
                return []
            if self._brk and not pat.breakout:
                return []
            strength = min(1.0, (pat.ema_fast - pat.ema_slow) / pat.ema_slow * 100 + 0.5)
            return [self.signal(pair, token, "buy", f"ema cross-up, rsi {pat.rsi:.0f}", strength)]
        if held and pat.crossed_down:
            return [self.signal(pair, token, "sell", f"ema cross-down, rsi {pat.rsi:.0f}")]
        return []
