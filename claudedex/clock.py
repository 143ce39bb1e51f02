"""Clocks: strategies, risk and portfolio read time only from the clock they are given.

Why: a backtest replays history, so code that read the wall clock would look into a
different "now" than the data it sees. Live runs pass :class:`WallClock`; backtests pass
:class:`ManualClock`, advanced by the replay.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch, as the current run understands it."""
        ...

    def block(self) -> int:
        """The latest block number the run has seen."""
        ...


class ReadOnlyClock:
    """Another clock's readings, and nothing to set it with: what a strategy is given.

    Why: a strategy file is the operator's code, run inside the kernel; in a backtest the
    kernel's clock is a :class:`ManualClock`, and a strategy that advanced it (by mistake
    or to peek) would move the replay's "now" past the data it has seen.
    """

    __slots__ = ("_clock",)

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now()

    def block(self) -> int:
        return self._clock.block()


class WallClock:
    def __init__(self) -> None:
        self._block = 0

    def now(self) -> float:
        return time.time()

    def block(self) -> int:
        return self._block

    def observe_block(self, number: int) -> None:
        self._block = max(self._block, number)


class ManualClock:
    def __init__(self, start: float = 0.0, block: int = 0) -> None:
        self._now = start
        self._block = block

    def now(self) -> float:
        return self._now

    def block(self) -> int:
        return self._block

    def advance_to(self, ts: float, block: int | None = None) -> None:
        if ts < self._now:
            raise ValueError("a clock never runs backwards")
        self._now = ts
        if block is not None:
            if block < self._block:
                raise ValueError("block numbers never run backwards")
            self._block = block
