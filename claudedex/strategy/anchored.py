"""EMA and Wilder RSI that do not depend on where the data starts.

Why anchors: a textbook EMA remembers its seed for ever, so the same market gives other
values (and other trades) when the file starts 140 candles later. Here the averages are
computed in *chains*, each starting at an anchor fixed in absolute time (a candle whose
index ``ts // interval`` is a multiple of ``span``): an EMA seeded with the SMA of its first
``period`` candles, an RSI from Wilder's averages of its first ``period`` changes, exactly
the textbook definitions from the anchor on. The chain shown is the one begun at the
previous anchor, at least ``span`` candles old (its seed then weighs under 1/1000 of the
value); a new chain starts at every anchor, so two run at a time. Two series that both hold
an anchor's candles give bit-identical values from that anchor's chain on, so after
``2 * span - 1`` candles (the warm-up) the start no longer matters.
"""

from __future__ import annotations

import math

SEED_WEIGHT = 1e-3  # a chain is shown once its seed weighs less than this


def settle(alpha: float) -> int:
    """Candles after its seed until an average with weight ``alpha`` forgets the seed."""
    return math.ceil(math.log(SEED_WEIGHT) / math.log1p(-alpha))


def span_for(ema_fast: int, ema_slow: int, rsi_period: int, *windows: int) -> int:
    """Candles between anchors: every average settles, every plain window fills."""
    return max(
        ema_fast + settle(2.0 / (ema_fast + 1)),
        ema_slow + settle(2.0 / (ema_slow + 1)),
        rsi_period + 1 + settle(1.0 / rsi_period),
        *(w + 1 for w in windows),
    )


class Chain:
    """EMA fast/slow and Wilder RSI from one anchor on (floats: analytics only)."""

    __slots__ = ("n", "fast", "slow", "prev_fast", "prev_slow", "last", "gain", "loss",
                 "since")

    def __init__(self, since: float) -> None:
        self.since = since  # ts of the chain's first candle
        self.n = 0
        self.fast = self.slow = self.prev_fast = self.prev_slow = 0.0
        self.last = self.gain = self.loss = 0.0

    def rsi(self) -> float:
        loss = self.loss
        return 100.0 if loss == 0.0 else 100.0 - 100.0 / (1.0 + self.gain / loss)

    def seed(self, close: float, pf: int, ps: int, pr: int, af: float, as_: float) -> None:
        """One close while some average is still being seeded (its first periods)."""
        n = self.n = self.n + 1
        fast, slow = self.fast, self.slow
        self.prev_fast, self.prev_slow = fast, slow
        if n < pf:
            self.fast = fast + close
        elif n == pf:
            self.fast = (fast + close) / pf
        else:
            self.fast = fast + af * (close - fast)
        if n < ps:
            self.slow = slow + close
        elif n == ps:
            self.slow = (slow + close) / ps
        else:
            self.slow = slow + as_ * (close - slow)
        if n > 1:
            change = close - self.last
            up = change if change > 0 else 0.0
            down = -change if change < 0 else 0.0
            m = n - 1
            if m < pr:
                self.gain += up
                self.loss += down
            elif m == pr:
                self.gain = (self.gain + up) / pr
                self.loss = (self.loss + down) / pr
            else:
                self.gain = (self.gain * (pr - 1) + up) / pr
                self.loss = (self.loss * (pr - 1) + down) / pr
        self.last = close


class Anchored:
    """One series' two chains; :meth:`fold` each closed candle, oldest first."""

    __slots__ = ("spec", "span", "hot", "first", "block", "shown", "next")

    def __init__(self, ema_fast: int, ema_slow: int, rsi_period: int, span: int) -> None:
        self.spec = (ema_fast, ema_slow, rsi_period, 2.0 / (ema_fast + 1), 2.0 / (ema_slow + 1))
        self.span = span
        self.hot = max(ema_slow, rsi_period + 1)  # from here on: the recursions alone
        self.first = -1  # index of the series' first candle
        self.block = -1  # anchor block of the newest chain
        self.shown: Chain | None = None  # None also while its anchor predates the series
        self.next: Chain | None = None

    def fold(self, index: int, ts: float, close: float) -> Chain | None:
        """Add the candle ``index`` (``ts // interval``); returns the chain to show, if any."""
        if self.first < 0:
            self.first = index
        block = index // self.span
        if block != self.block:  # an anchor passed: the next chain is shown, a new one starts
            self.shown = self.next
            self.next = Chain(ts) if self.first <= block * self.span else None
            self.block = block
        pf, ps, pr, af, as_ = self.spec
        hot = self.hot
        for ch in (self.shown, self.next):
            if ch is None:
                continue
            if ch.n < hot:
                ch.seed(close, pf, ps, pr, af, as_)
                continue
            # Hot path: every average seeded. The same arithmetic as Chain.seed's last
            # branches (x + 0.0 == x), so values do not depend on which path ran.
            ch.n += 1
            fast, slow = ch.fast, ch.slow
            ch.prev_fast, ch.prev_slow = fast, slow
            ch.fast = fast + af * (close - fast)
            ch.slow = slow + as_ * (close - slow)
            change = close - ch.last
            ch.last = close
            if change > 0:
                ch.gain = (ch.gain * (pr - 1) + change) / pr
                ch.loss = ch.loss * (pr - 1) / pr
            else:
                ch.gain = ch.gain * (pr - 1) / pr
                ch.loss = (ch.loss * (pr - 1) - change) / pr
        return self.shown
