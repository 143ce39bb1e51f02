"""The candle replay's fast path: quiet ticks fold straight into the views, not the bus.

Why it is still the parity path: a tick goes through the kernel (bus, strategy runner,
portfolio, exits, risk, settle) only so that something can react to it. With a vectorised
strategy (:attr:`claudedex.strategy.base.Strategy.vectorised`) the driver knows, from the
strategy's ``enter`` column computed once over the file, on which candles the strategy
may signal while flat. While the book is flat (no position, no buy committed, no order,
no proposal waiting, no exit pending) and the candle the tick belongs to follows one whose
``enter`` is false, nothing in the kernel can act on the tick: the strategy promised no
signal, the portfolio has nothing to mark or exit, execution has nothing to fill. Such a
tick only moves state, and :meth:`QuietTicks.fold` moves exactly that state (the venue's
reserves, both market views, the runner's count) without the bus, the settle loop or the
strategy call.

While the one position is the tick's token, nothing is in flight and the strategy's
``exit`` column is false on the last closed candle, only the portfolio acts (marks, the
breaker, the exit rules). :meth:`QuietTicks.deliver` then hands the tick to the runner's
and the portfolio's own handlers, in the order the bus would, in the driver's task; the
marks they publish are handled by the runner at once (:meth:`StrategyRunner.drain`) and
anything more (an exit proposal, a halt) waits for the ordinary settle. Every other tick
takes the ordinary path, so the trades are the same ones;
``tests/unit/backtest/test_fastpath.py`` replays both ways and compares them fill by fill.

The columns are computed over the file's candles (as Freqtrade does), set on the
strategy's view as a :class:`~claudedex.market.view.SeriesTable` whether or not ticks are
skipped, so a replay with ``fast=False`` runs the very same strategy on the same values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from claudedex.events import PriceTicked
from claudedex.market.candles import Candle
from claudedex.market.view import MarketView, SeriesTable
from claudedex.strategy.base import Strategy, candle_frame

if TYPE_CHECKING:
    from claudedex.backtest.simvenue import SimulatedVenue
    from claudedex.kernel import Kernel

ENTER = "enter"
EXIT = "exit"
# the kernel's readers of price ticks in a replay, in delivery order: all the fast path
# stands in for (a replay with any other reader sends every tick through the bus)
TICK_READERS = ("strategy", "portfolio")


def series_tables(strategy: Strategy, series: Mapping[str, Sequence[Candle]],
                  pair_of: Mapping[str, str], interval_s: float) -> dict[str, SeriesTable]:
    """The strategy's columns over each named series, keyed by the series' pair address.

    Raises ValueError for a column whose length is not the series' or a missing ``enter``.
    """
    tables: dict[str, SeriesTable] = {}
    for name, candles in series.items():
        found = strategy.indicators(candle_frame(candles, interval_s))
        columns = {k: np.asarray(v) for k, v in found.items()}
        if ENTER not in columns:
            raise ValueError(f"strategy {strategy.name}: indicators() gave no '{ENTER}' column")
        for key, col in columns.items():
            if len(col) != len(candles):
                raise ValueError(f"strategy {strategy.name}: column '{key}' has {len(col)} "
                                 f"rows for {len(candles)} candles of {name}")
        columns[ENTER] = columns[ENTER].astype(bool)
        tables[pair_of[name]] = SeriesTable({c.ts: i for i, c in enumerate(candles)}, columns)
    return tables


class QuietTicks:
    """Decides per tick whether the kernel can react to it; folds the ones it cannot."""

    def __init__(self, kernel: Kernel, venue: SimulatedVenue, tables: Mapping[str, SeriesTable],
                 interval_s: float, tracker_view: MarketView) -> None:
        self.runner = kernel.strategy
        self.view = kernel.strategy.view
        self.tracker_view = tracker_view
        self.orders: dict[str, Any] = kernel.execution.orders
        self.venue = venue
        self.interval = interval_s
        self.tracker = kernel.portfolio
        # pair -> (candle open ts -> row, enter column as a list of bools)
        self.enter = {pair: (t.index, [bool(x) for x in t.columns[ENTER]])
                      for pair, t in tables.items()}
        self.exit = {pair: [bool(x) for x in t.columns[EXIT]]
                     for pair, t in tables.items() if EXIT in t.columns}
        self.folded = 0
        self.delivered = 0

    def _row(self, tick: PriceTicked) -> int | None:
        """The table row of the view's last closed candle while ``tick``'s candle forms
        (the one before it); -1 before the first; None off the table."""
        found = self.enter.get(tick.pair)
        if found is None:
            return None
        row = found[0].get(tick.ts - tick.ts % self.interval)
        return None if row is None else row - 1

    def _settled(self, proposals_open: bool) -> bool:
        snap = self.view.portfolio
        return not (proposals_open or snap.committed or snap.exiting or self.orders
                    or self.venue.waiting)

    def quiet(self, tick: PriceTicked, proposals_open: bool) -> bool:
        """True when nothing in the kernel can act on ``tick`` (see the module's why)."""
        if self.view.portfolio.positions or not self._settled(proposals_open):
            return False
        row = self._row(tick)
        return row is not None and (row < 0 or not self.enter[tick.pair][1][row])

    def held_quiet(self, tick: PriceTicked, proposals_open: bool) -> bool:
        """True when the only position is ``tick``'s pair's token, nothing is in flight and
        the strategy's ``exit`` is false: the strategy will not signal (its promise), so
        only the portfolio acts on the tick (marks, the breaker, the exit rules)."""
        held = self.view.portfolio.positions
        exits = self.exit.get(tick.pair)
        if (exits is None or len(held) != 1 or not self._settled(proposals_open)
                or self.view.pair_token.get(tick.pair) not in held):
            return False
        row = self._row(tick)
        return row is not None and (row < 0 or not exits[row])

    async def deliver(self, tick: PriceTicked) -> None:
        """Hand ``tick`` to the strategy runner, then the portfolio, as the bus would (in
        the order they subscribed), in the driver's task: their own handlers, no bus."""
        await self.runner.handle(tick)
        await self.tracker.handle(tick)
        self.delivered += 1

    def fold(self, tick: PriceTicked) -> None:
        """What the kernel's views would take from ``tick``, without the bus."""
        args = (tick.pair, tick.reserve_token, tick.reserve_quote, tick.block_number, tick.ts)
        self.view.update_reserves(*args)
        self.tracker_view.update_reserves(*args)
        self.runner.processed += 1
        self.folded += 1


__all__ = ["ENTER", "EXIT", "TICK_READERS", "QuietTicks", "series_tables"]
