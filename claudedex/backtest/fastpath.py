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

Any other tick while the kernel is settled (no proposal waiting, nothing committed or
exiting, no order, nothing at the venue; positions may be held, in any pair) can reach
only its two readers, the strategy runner and the portfolio: :meth:`QuietTicks.deliver`
hands it to their own handlers, in the order the bus would, in the driver's task; the
marks they publish are handled by the runner at once (:meth:`StrategyRunner.drain`) and
anything more (a signal, an exit proposal, a halt) waits for the ordinary settle. Every other tick
takes the ordinary path, so the trades are the same ones;
``tests/unit/backtest/test_fastpath.py`` replays both ways and compares them fill by fill.

Whole stretches: a single series is read from a :class:`~claudedex.backtest.tape.CandleTape`,
and between two candles the driver folds at once every candle up to the next ``enter``
while flat (:meth:`QuietTicks.flat_stretch`), or, while held, every candle before the
first tick that could fire an exit rule or the breaker (:mod:`claudedex.backtest.heldfold`);
no tick object is made for them.

The columns are computed over the file's candles (as Freqtrade does), set on the
strategy's view as a :class:`~claudedex.market.view.SeriesTable` whether or not ticks are
skipped, so a replay with ``fast=False`` runs the very same strategy on the same values.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from claudedex.errors import ReplayAborted
from claudedex.events import PriceTicked
from claudedex.market.candles import Candle
from claudedex.market.view import MarketView, SeriesTable
from claudedex.strategy.base import Strategy, candle_frame

if TYPE_CHECKING:
    import pandas as pd

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
        frame = candle_frame(candles, interval_s)
        index = dict(zip(frame["ts"].tolist(), range(len(candles)), strict=True))  # before
        columns = strategy_columns(strategy, frame, name)
        for col in columns.values():  # a strategy reads them, never writes them
            col.setflags(write=False)
        tables[pair_of[name]] = SeriesTable(index, columns)
    return tables


def strategy_columns(strategy: Strategy, frame: pd.DataFrame, name: str) -> dict[str, np.ndarray]:
    """``strategy.indicators(frame)`` as the replay keeps them: each column copied, checked
    one value per row of ``frame`` (the candles of series ``name``), ``enter`` as booleans;
    the frame's float columns are wiped (NaN) afterwards. The replay's tables and the
    lookahead check both take their columns here.

    Raises ValueError for a column whose length is not the frame's or a missing ``enter``.
    """
    rows = len(frame)
    found = strategy.indicators(frame)  # the strategy may add to (or change) the frame
    columns = {k: np.array(v) for k, v in found.items()}  # copies: made read-only by the replay
    # the whole file was handed over for the columns only: a reference kept to read
    # later candles in evaluate (a lookahead the column check cannot see) reads NaN
    frame.loc[:, frame.dtypes.map(lambda d: d.kind == "f")] = np.nan
    if ENTER not in columns:
        raise ValueError(f"strategy {strategy.name}: indicators() gave no '{ENTER}' column")
    for key, col in columns.items():
        if len(col) != rows:
            raise ValueError(f"strategy {strategy.name}: column '{key}' has {len(col)} "
                             f"rows for {rows} candles of {name}")
    columns[ENTER] = columns[ENTER].astype(bool)
    return columns


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
        # pair -> rows whose ``enter`` (``exit``) is true, ascending: where stretches end
        # (lists: bisect finds a stretch's end without numpy's cost per call)
        self.enter_rows = {pair: np.flatnonzero(t.columns[ENTER]).tolist()
                           for pair, t in tables.items()}
        self.exit_rows = {pair: np.flatnonzero(np.asarray(t.columns[EXIT], dtype=bool)).tolist()
                          for pair, t in tables.items() if EXIT in t.columns}
        self.folded = 0
        self.delivered = 0
        self.held_folded = 0  # held ticks whose marks were applied in bulk (heldfold.py)

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

    def deliverable(self, proposals_open: bool) -> bool:
        """True when the kernel is settled (no proposal waiting, nothing committed or
        exiting, no order, nothing at the venue): no task but the tick's two readers can
        run, so handing it to their own handlers in the driver's task (:meth:`deliver`)
        is what the bus would do, whatever they then publish (the driver settles that).
        No promise of the strategy is needed: it is asked as on the bus."""
        return self._settled(proposals_open)

    def flat_stretch(self, pair: str, first: int, count: int, proposals_open: bool) -> int:
        """The last candle of the flat stretch from candle ``first`` of ``pair``'s ``count``
        (rows are candles): the book is flat and settled, and no ``enter`` on the candle
        before ``first`` nor on any before the stretch's last; -1 when candle ``first``
        must be ticked. A stretch ends at the first candle whose ``enter`` is true: the
        strategy signals at the next candle's open, which takes the ordinary path."""
        rows = self.enter_rows.get(pair)
        if (rows is None or self.view.portfolio.positions or not self._settled(proposals_open)
                or (first > 0 and self.enter[pair][1][first - 1])):
            return -1
        at = bisect_left(rows, first)
        return rows[at] if at < len(rows) else count - 1

    def held_stretch(self, pair: str, first: int, count: int, proposals_open: bool) -> int:
        """The last candle of the held stretch from candle ``first``: the one position is
        ``pair``'s token, nothing in flight, and no ``exit`` on the candle before ``first``
        nor before the stretch's last; -1 when candle ``first`` must be ticked. Only the
        portfolio acts on such ticks (the strategy's promise: no ``exit``, no signal)."""
        rows, held = self.exit_rows.get(pair), self.view.portfolio.positions
        if (rows is None or len(held) != 1 or not self._settled(proposals_open)
                or self.view.pair_token.get(pair) not in held
                or (first > 0 and self.exit[pair][first - 1])):
            return -1
        at = bisect_left(rows, first)
        return rows[at] if at < len(rows) else count - 1

    def fold_stretch(self, ticks: int) -> None:
        """Count ``ticks`` folded flat by the tape as the runner and this driver would."""
        self.runner.processed += ticks
        self.folded += ticks

    def fold_held(self, ticks: int) -> None:
        """Count ``ticks`` folded held, less the one handed over again (:meth:`deliver`):
        the runner handles each tick and the portfolio's two marks of it."""
        self.runner.processed += 3 * (ticks - 1)
        self.delivered += ticks - 1
        self.held_folded += ticks

    async def deliver(self, tick: PriceTicked) -> None:
        """Hand ``tick`` to the strategy runner, then the portfolio, as the bus would (in
        the order they subscribed), in the driver's task: their own handlers, no bus."""
        for name, handle in (("strategy", self.runner.handle),
                             ("portfolio", self.tracker.handle)):
            try:
                await handle(tick)
            except Exception as exc:  # noqa: BLE001 - as the supervisor sees it: any fault
                raise ReplayAborted(name, f"{type(exc).__name__}: {exc}") from exc
        self.delivered += 1

    def fold(self, tick: PriceTicked) -> None:
        """What the kernel's views would take from ``tick``, without the bus."""
        args = (tick.pair, tick.reserve_token, tick.reserve_quote, tick.block_number, tick.ts)
        self.view.update_reserves(*args)
        self.tracker_view.update_reserves(*args)
        self.runner.processed += 1
        self.folded += 1


__all__ = ["ENTER", "EXIT", "TICK_READERS", "QuietTicks", "series_tables", "strategy_columns"]
