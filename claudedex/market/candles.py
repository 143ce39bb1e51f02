"""Candles built from pool price observations.

Why floats: candles feed indicators (EMA, RSI, volatility), which are analytics; nothing
that reaches an order is computed from them. Amounts stay integers elsewhere.

Why a named tuple: a backtest holds one candle per row of its file (hundreds of thousands)
and the views build more as they fold; a tuple is made in a third of a frozen dataclass's
time, and :func:`candle_array` reads a whole series as one (n, 6) array.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np


class Candle(NamedTuple):
    """One closed interval of a price series; ``ts`` is the interval's open time (seconds).
    Immutable; fields in the order ts, open, high, low, close, volume."""

    ts: float
    open: float
    high: float
    low: float
    close: float
    volume: float  # quote units traded (or |reserve change| when built from reserves)


def candle_array(candles: Sequence[Candle]) -> np.ndarray:
    """The candles as one (n, 6) float64 array, columns in field order (ts first)."""
    n = len(candles)
    return np.fromiter(chain.from_iterable(candles), np.float64, 6 * n).reshape(n, 6)


class CandleBuilder:
    """Aggregates (ts, price, volume) observations into fixed-interval candles.

    A candle closes when the first observation of a later interval arrives, so a candle is
    never exposed before its interval is over: the builder cannot leak the future.
    """

    __slots__ = ("interval", "_ts", "_o", "_h", "_l", "_c", "_v")

    def __init__(self, interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError("candle interval must be positive")
        self.interval = interval_s
        self._ts: float | None = None
        self._o = self._h = self._l = self._c = self._v = 0.0

    def observe(self, ts: float, price: float, volume: float = 0.0) -> Candle | None:
        """Add one observation; returns the candle it closed, if any."""
        bucket = ts - (ts % self.interval)
        closed: Candle | None = None
        if self._ts is None or bucket > self._ts:
            if self._ts is not None:
                closed = Candle(self._ts, self._o, self._h, self._l, self._c, self._v)
            self._ts = bucket
            self._o = self._h = self._l = self._c = price
            self._v = volume
            return closed
        self._c = price
        if price > self._h:
            self._h = price
        if price < self._l:
            self._l = price
        self._v += volume
        return None

    def start(self, candle: Candle) -> None:
        """Continue from ``candle`` as the one forming (as if its ticks were observed)."""
        self._ts = candle.ts
        self._o, self._h, self._l, self._c, self._v = (candle.open, candle.high, candle.low,
                                                       candle.close, candle.volume)

    def forming(self) -> Candle | None:
        """The open candle so far (its close is the latest observed price)."""
        if self._ts is None:
            return None
        return Candle(self._ts, self._o, self._h, self._l, self._c, self._v)
