"""Pattern analyzer: EMA, RSI, volume spikes and breakouts on a pool's candle series.

Why incremental: a backtest replays hundreds of thousands of candles, so each indicator is
updated in O(1) per closed candle instead of recomputed over a window. The analyzer reads
only candles the MarketView already holds, so it sees no more than the strategy could.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from claudedex.market.view import MarketView


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
    volume_ratio: float = 0.0  # latest volume / average of previous ones
    breakout: bool = False  # close above the previous lookback high
    breakdown: bool = False
    ready: bool = False
    folded: int = 0

    @property
    def crossed_up(self) -> bool:
        return self.ready and self.prev_fast <= self.prev_slow and self.ema_fast > self.ema_slow

    @property
    def crossed_down(self) -> bool:
        return self.ready and self.prev_fast >= self.prev_slow and self.ema_fast < self.ema_slow


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
        self.af = 2.0 / (ema_fast + 1)
        self.as_ = 2.0 / (ema_slow + 1)
        self.rsi_period = rsi_period
        self.volume_window = volume_window
        self.lookback = breakout_lookback
        self.warmup = max(ema_slow, rsi_period + 1, breakout_lookback + 1)
        self._state: dict[str, tuple[Patterns, deque[float], deque[float], list[float]]] = {}

    def update(self, pair: str, view: MarketView) -> Patterns:
        """Fold in every candle closed since the last call; returns the current patterns."""
        seen = view.candle_count(pair)
        st = self._state.get(pair)
        if st is None:
            st = self._state[pair] = (
                Patterns(),
                deque(maxlen=self.lookback),
                deque(maxlen=self.volume_window),
                [0.0, 0.0],  # Wilder average gain, average loss
            )
        pat = st[0]
        new = seen - pat.count
        if new <= 0:
            return pat
        candles = view.candles(pair)
        if new == 1 and candles:  # the usual case: exactly the newest candle
            c = candles[-1]
            self._fold(pat, st[1], st[2], st[3], c.close, c.high, c.volume)
        else:
            start = max(len(candles) - new, 0)
            for i in range(start, len(candles)):
                c = candles[i]
                self._fold(pat, st[1], st[2], st[3], c.close, c.high, c.volume)
        pat.count = seen
        return pat

    def _fold(
        self,
        pat: Patterns,
        highs: deque[float],
        vols: deque[float],
        rs: list[float],
        close: float,
        high: float,
        volume: float,
    ) -> None:
        folded = pat.folded
        if folded == 0:
            pat.ema_fast = pat.ema_slow = pat.prev_fast = pat.prev_slow = close
        else:
            fast, slow = pat.ema_fast, pat.ema_slow
            pat.prev_fast, pat.prev_slow = fast, slow
            pat.ema_fast = fast + self.af * (close - fast)
            pat.ema_slow = slow + self.as_ * (close - slow)
            change = close - pat.close
            p = self.rsi_period
            gain = rs[0] = (rs[0] * (p - 1) + (change if change > 0 else 0.0)) / p
            loss = rs[1] = (rs[1] * (p - 1) + (-change if change < 0 else 0.0)) / p
            pat.rsi = 100.0 if loss == 0.0 else 100.0 - 100.0 / (1.0 + gain / loss)
        if highs:
            pat.breakout = close > max(highs)
            pat.breakdown = close < min(highs)  # the lowest recent high: a cheap support proxy
        if vols:
            avg = sum(vols) / len(vols)
            pat.volume_ratio = volume / avg if avg > 0 else 0.0
        highs.append(high)
        vols.append(volume)
        pat.close = close
        pat.folded = folded = folded + 1
        pat.ready = folded >= self.warmup
