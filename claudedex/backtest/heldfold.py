"""Held stretches of a candle replay: marks in bulk up to the first tick that could matter.

Why this is exact: while one position is held, nothing is in flight and the strategy's
``exit`` column is false, a tick only marks the position (last and peak mark), feeds the
breaker (peak equity) and asks the exit rules, which stay silent until a mark, a time or
an equity crosses their band (:meth:`claudedex.portfolio.exits.ExitRules.band`, the
breaker's drawdown and daily-loss limits). :func:`first_alarm` finds, with numpy over the
stretch's ticks, the first tick at which any of them *could* fire, with a relative margin
(``MARGIN``) far wider than the float error of the estimate and the 28-digit Decimals of
the exact checks; a new UTC day also counts (the breaker re-bases its day then). Ticks
before it change nothing but the views, the marks and the peaks, and
:func:`fold_held` applies those as the ticks would have; the alarm tick and all after it
take the ordinary path, where the exact rules decide.

Marks are the exit's own price: ``getAmountOut`` of the whole position on the tick's
reserves (the portfolio's convention), estimated in floats only to find the alarm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from claudedex.amm import BPS, get_amount_out
from claudedex.portfolio.book import Position
from claudedex.portfolio.exits import ExitBand
from claudedex.risk.breaker import DAY_S, Breaker

MARGIN = 1e-9  # relative: float marks err by ~1e-15, the Decimal checks by ~1e-27


@dataclass(frozen=True, slots=True)
class Held:
    """One position as the fold needs it: amounts in base units, fee in basis points."""

    pos: Position
    cash: int
    fee_bps: int
    band: ExitBand | None
    breaker: Breaker


def float_marks(held: Held, reserve_token: np.ndarray, reserve_quote: float) -> np.ndarray:
    """The marks estimated in floats (``getAmountOut``'s formula), one per tick."""
    a = float(held.pos.amount) * (BPS - held.fee_bps)
    return a * reserve_quote / (reserve_token * BPS + a)


def first_alarm(held: Held, marks: np.ndarray, ts: np.ndarray) -> int:
    """Index of the first tick at which an exit rule, the breaker or a new day could act
    (``len(marks)`` when none can). ``marks`` from :func:`float_marks`; ``ts`` in seconds."""
    n = len(marks)
    if n == 0:
        return 0
    lo, hi = 1 - MARGIN, 1 + MARGIN
    alarm = np.zeros(n, dtype=bool)
    band, pos = held.band, held.pos
    if band is not None:
        if band.stop_mark is not None:
            alarm |= marks <= float(band.stop_mark) * hi
        if band.take_mark is not None:
            alarm |= marks >= float(band.take_mark) * lo
        if band.trail_pct is not None:
            peak = np.maximum(np.maximum.accumulate(marks), float(pos.peak_mark))
            alarm |= (peak > band.cost * lo) & (marks <= peak * (1 - float(band.trail_pct) / 100)
                                                * hi)
        if band.deadline is not None:
            alarm |= ts >= band.deadline - 1.0
    breaker = held.breaker
    alarm |= np.floor(ts / DAY_S) != breaker.day
    if not breaker.tripped:
        equity = marks + float(held.cash)
        limits = breaker.settings
        if limits.max_drawdown_pct > 0:
            peak_eq = np.maximum(np.maximum.accumulate(equity), float(breaker.peak))
            alarm |= equity <= peak_eq * (1 - float(limits.max_drawdown_pct) / 100) * hi
        if limits.daily_loss_limit_quote > 0:
            alarm |= (float(breaker.day_start) - equity
                      >= float(limits.daily_loss_limit_quote) * lo - abs(equity) * MARGIN)
    hit = np.flatnonzero(alarm)
    return int(hit[0]) if len(hit) else n


def exact_mark(held: Held, reserve_token: int, reserve_quote: int) -> int:
    """The portfolio's mark of the position on these reserves (quote base units)."""
    return get_amount_out(held.pos.amount, reserve_token, reserve_quote, held.fee_bps)


def fold_held(held: Held, peak_reserve_token: int, reserve_quote: int) -> int:
    """Raise the position's peak mark and the breaker's peak equity to what the folded
    ticks reached (the highest mark is at the smallest token reserve); returns that mark.
    The last tick's own mark is applied by the portfolio when it is handed that tick."""
    top = exact_mark(held, peak_reserve_token, reserve_quote)
    pos, breaker = held.pos, held.breaker
    if top > pos.peak_mark:
        pos.peak_mark = top
    breaker.peak = max(breaker.peak, held.cash + top)
    return top


__all__ = ["MARGIN", "Held", "exact_mark", "first_alarm", "float_marks", "fold_held"]
