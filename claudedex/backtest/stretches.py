"""Whole stretches of a candle replay folded at a candle boundary, flat or held.

Why a function apart from the driver: it is the one place that decides how many candles
the fast path may skip and writes what the skipped ticks would have recorded (one equity
point, exposure and close price per candle), so that the driver's loop stays the kernel's
ordinary path. The rules for what may be skipped are in :mod:`claudedex.backtest.fastpath`
(flat: no ``enter``) and :mod:`claudedex.backtest.heldfold` (held: before the first alarm).
"""

from __future__ import annotations

from itertools import repeat
from typing import TYPE_CHECKING

from claudedex.backtest.heldfold import Held, exact_mark, first_alarm, float_marks, fold_held
from claudedex.backtest.tape import TICKS, CandleTape

if TYPE_CHECKING:
    from claudedex.backtest.fastpath import QuietTicks
    from claudedex.backtest.replay import BacktestResult
    from claudedex.backtest.simvenue import SimulatedVenue
    from claudedex.clock import ManualClock
    from claudedex.events import PriceTicked
    from claudedex.kernel import Kernel

HELD_WINDOW = 4096  # candles a held stretch looks ahead for its alarm at most, per call


def fold_stretch(tape: CandleTape, quiet: QuietTicks, kernel: Kernel, venue: SimulatedVenue,
                 clock: ManualClock, result: BacktestResult,
                 proposals_open: bool) -> PriceTicked | None:
    """Fold the flat or held stretch from the tape's next candle, if there is one. After a
    held stretch, returns its last tick: the caller hands it to the runner and portfolio
    (:meth:`QuietTicks.deliver`), which mark the position's last price and ask the exit
    rules as the tick itself would have; None otherwise."""
    first, count = tape.next, len(tape.candles)
    prices = result.prices.setdefault(tape.pair, [])
    views = list({id(v): v for v in (kernel.strategy.view, kernel.portfolio.view)}.values())
    snap = kernel.strategy.view.portfolio
    liq = tape.liquidity
    last = quiet.flat_stretch(tape.pair, first, count, proposals_open)
    if last >= first:
        closes = tape.fold(last, views, venue, clock)
        quiet.fold_stretch(TICKS * len(closes))
        at = tape.close_ts(first, last)
        result.equity.extend(zip(at, repeat(snap.equity_quote, len(at)), strict=True))
        prices.extend(zip(at, tape.close_prices(first, last, closes), strict=True))
        result.exposed.extend([False] * len(closes))
        result.steps += len(closes)
        return None
    last = quiet.held_stretch(tape.pair, first, count, proposals_open)
    if last < first:
        return None
    core = kernel.portfolio.core
    pos = core.book.positions[kernel.strategy.view.pair_token[tape.pair]]
    held = Held(pos, core.book.cash, core.settings.fee_bps, core.rules.band(pos),
                core.breaker)
    last = min(last, first + HELD_WINDOW - 1)  # an alarm near the start: little wasted
    reserves, times = tape.ticks(first, last)
    alarm = first_alarm(held, float_marks(held, reserves, float(liq)), times)
    last = first + alarm // TICKS - 1  # whole candles before the alarm's
    if last < first:
        return None
    top = fold_held(held, int(reserves[:TICKS * (last + 1 - first)].min()), liq)
    snap.peak_equity_quote = max(snap.peak_equity_quote, held.cash + top)
    closes = tape.fold(last, views, venue, clock)
    quiet.fold_held(TICKS * len(closes))
    at = tape.close_ts(first, last)
    result.equity.extend(zip(at, [held.cash + exact_mark(held, rt, liq)
                                  for rt in map(int, closes.tolist())], strict=True))
    prices.extend(zip(at, tape.close_prices(first, last, closes), strict=True))
    result.exposed.extend([True] * len(closes))
    result.steps += len(closes)
    return tape.close_tick(last)


__all__ = ["HELD_WINDOW", "fold_stretch"]
