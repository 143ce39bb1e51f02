"""Pattern analyzer: EMA, RSI, volume spikes and breakouts on a pool's candle series.

Why incremental: a backtest replays hundreds of thousands of candles, so each indicator is
updated in O(1) per closed candle instead of recomputed over a window. The analyzer reads
only candles the MarketView already holds, so it sees no more than the strategy could.

Why a warm-up: the averages come from anchored chains (:mod:`claudedex.strategy.anchored`)
and the volume and breakout windows must be full, so nothing is ``ready`` before
:attr:`PatternAnalyzer.warmup` candles have passed (Freqtrade's ``startup_candle_count``);
from then on every value is the same whatever candle the series started with.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from claudedex.market.candles import Candle
from claudedex.market.reader import MarketReading
from claudedex.strategy.anchored import Anchored, span_for


@dataclass(slots=True)
class Patterns:
    """Indicator values after the latest closed candle (floats: analytics only)."""

    count: int = 0
    close: float = 0.0
    ema_fast: float = 0.0
    ema_slow: float = 0.0
    prev_fast: float = 0.0
    prev_slow: float = 0.0
    rsi: float = 50.0
    volume_ratio: float = 0.0  # latest volume / average of the previous window
    breakout: bool = False  # close above the previous lookback high
    breakdown: bool = False
    ready: bool = False
    folded: int = 0
    since: float = 0.0  # ts of the first candle the shown averages are computed from

    @property
    def crossed_up(self) -> bool:
        return self.ready and self.prev_fast <= self.prev_slow and self.ema_fast > self.ema_slow

    @property
    def crossed_down(self) -> bool:
        return self.ready and self.prev_fast >= self.prev_slow and self.ema_fast < self.ema_slow


class _Pair:
    """One pair's state: its patterns, windows and anchored averages."""

    __slots__ = ("pat", "highs", "vols", "avg")

    def __init__(self, lookback: int, volume_window: int, avg: Anchored) -> None:
        self.pat = Patterns()
        self.highs: deque[float] = deque(maxlen=lookback)
        self.vols: deque[float] = deque(maxlen=volume_window)
        self.avg = avg


class PatternAnalyzer:
    """Per-pair incremental indicators; call :meth:`update` with the view each time."""

    def __init__(
        self,
        ema_fast: int = 12,
        ema_slow: int = 26,
        rsi_period: int = 14,
        volume_window: int = 20,
        breakout_lookback: int = 20,
    ) -> None:
        if not 0 < ema_fast < ema_slow:
            raise ValueError("need 0 < ema_fast < ema_slow")
        if rsi_period < 1:
            raise ValueError("need rsi_period >= 1")
        self.periods = (ema_fast, ema_slow, rsi_period)
        self.volume_window = volume_window
        self.lookback = breakout_lookback
        self.span = span_for(ema_fast, ema_slow, rsi_period, volume_window, breakout_lookback)
        # Candles before the first signal: a chain starts at most span - 1 candles after the
        # series does and is shown once it is span candles old.
        self.warmup = 2 * self.span - 1
        self._seeded = max(ema_slow, rsi_period + 1) + 1  # a chain's prev values are seeded
        self._state: dict[str, _Pair] = {}

    def update(self, pair: str, view: MarketReading) -> Patterns:
        """Fold in every candle closed since the last call; returns the current patterns."""
        seen = view.candle_count(pair)
        st = self._state.get(pair)
        if st is None:
            st = self._state[pair] = _Pair(
                self.lookback, self.volume_window, Anchored(*self.periods, self.span))
        pat = st.pat
        new = seen - pat.count
        if new <= 0:
            return pat
        candles = view.candles(pair)
        interval = view.candle_interval_s
        if new == 1 and candles:  # the usual case: exactly the newest candle
            self._fold(st, candles[-1], interval)
        else:
            for i in range(max(len(candles) - new, 0), len(candles)):
                self._fold(st, candles[i], interval)
        pat.count = seen
        return pat

    def series(self, candles: Iterable[Candle], interval: float) -> Iterator[Patterns]:
        """Fold ``candles`` (one series, oldest first) into a fresh state: the patterns
        after each candle, as :meth:`update` would show them (one object, updated in place:
        read it before the next)."""
        st = _Pair(self.lookback, self.volume_window, Anchored(*self.periods, self.span))
        for c in candles:
            self._fold(st, c, interval)
            st.pat.count += 1
            yield st.pat

    def _fold(self, st: _Pair, c: Candle, interval: float) -> None:
        pat, highs, vols = st.pat, st.highs, st.vols
        close = c.close
        shown = st.avg.fold(int(c.ts // interval), c.ts, close)
        if highs:
            pat.breakout = close > max(highs)
            pat.breakdown = close < min(highs)  # the lowest recent high: a cheap support proxy
        if vols:
            avg = sum(vols) / len(vols)
            pat.volume_ratio = c.volume / avg if avg > 0 else 0.0
        highs.append(c.high)
        vols.append(c.volume)
        pat.close = close
        pat.folded = folded = pat.folded + 1
        if folded > self.warmup and shown is not None and shown.n >= self._seeded:
            pat.ema_fast, pat.ema_slow = shown.fast, shown.slow
            pat.prev_fast, pat.prev_slow = shown.prev_fast, shown.prev_slow
            pat.rsi = shown.rsi()
            pat.since = shown.since
            pat.ready = True
        else:
            pat.ready = False
