"""Momentum: enter on an EMA cross-up confirmed by RSI (and optionally volume/breakout).

Vectorised: :meth:`MomentumStrategy.indicators` folds a whole candle series through the
same :class:`~claudedex.strategy.patterns.PatternAnalyzer` once (a backtest's file), and
:meth:`~MomentumStrategy.evaluate` reads that table at the view's last closed candle. With
no table (live) it folds the view's candles incrementally as they close; either way one
rule (:meth:`~MomentumStrategy._enters`) decides, so both read the same values the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.market.reader import MarketReading
from claudedex.strategy.base import Strategy, frame_candles
from claudedex.strategy.params import MomentumParams, RunnerParams, own_defaults
from claudedex.strategy.patterns import PatternAnalyzer, Patterns

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("enter", "exit", "ema_fast", "ema_slow", "rsi")


class MomentumStrategy(Strategy):
    name: ClassVar[str] = "momentum"
    params_model: ClassVar[type[RunnerParams] | None] = MomentumParams
    defaults: ClassVar[dict[str, Any]] = own_defaults(MomentumParams)
    vectorised: ClassVar[bool] = True

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

    def _enters(self, pat: Patterns) -> bool:
        """The buy rule on one candle's patterns (flat only: evaluate checks holdings)."""
        if not (pat.crossed_up and pat.rsi < self._rsi_max):
            return False
        if self._vol > 0 and pat.volume_ratio < self._vol:
            return False
        return not (self._brk and not pat.breakout)

    def indicators(self, frame: pd.DataFrame) -> Mapping[str, Any]:
        """``enter``, ``exit`` (cross-down) and the averages and RSI, per candle."""
        import numpy as np

        rows = [(self._enters(p), p.crossed_down, p.ema_fast, p.ema_slow, p.rsi)
                for p in self.analyzer.series(frame_candles(frame), frame.attrs["interval_s"])]
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
        return {k: np.asarray(v, dtype=bool if k in ("enter", "exit") else float)
                for k, v in zip(COLUMNS, cols, strict=True)}

    def evaluate(self, pair: str, view: MarketReading, clock: Clock) -> list[Signal]:
        if view.has_series(pair):
            enter, down, fast, slow, rsi = (view.series_value(pair, k) for k in COLUMNS)
            if enter is None:  # no candle closed yet
                return []
        else:
            pat = self.analyzer.update(pair, view)
            enter, down = self._enters(pat), pat.crossed_down
            fast, slow, rsi = pat.ema_fast, pat.ema_slow, pat.rsi
        token = view.pair_token.get(pair, pair)
        held = view.portfolio.positions.get(token, 0) > 0
        if not held and enter:
            strength = min(1.0, (fast - slow) / slow * 100 + 0.5)
            return [self.signal(pair, token, "buy", f"ema cross-up, rsi {rsi:.0f}", strength)]
        if held and down:
            return [self.signal(pair, token, "sell", f"ema cross-down, rsi {rsi:.0f}")]
        return []
