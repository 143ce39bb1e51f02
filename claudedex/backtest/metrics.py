"""Backtest report figures from the equity curve and the fills.

Convention for the ratios (the field's, stated so figures compare): the equity curve is
resampled to one value per UTC day (the last mark of the day; the day before the first
holds the starting cash), daily simple returns are taken between consecutive days, the
risk-free rate is 0, and annualisation is by sqrt(365) (crypto trades every day).
Sharpe = mean / sample standard deviation; Sortino = mean / downside deviation (root mean
square of the negative daily returns over all days); Calmar = CAGR / maximum drawdown.
With fewer than two daily returns they are not defined and reported as null.

Floats are fine here: these are analytics about a finished run, never order amounts.
Money totals (fees, gas, P&L) are still reported from the exact integers.

Why numpy for the long curves: a replay marks the equity once per candle (hundreds of
thousands of marks), and a Python pass per mark cost more than the rest of the report.
The curve's values are exact integers (wei), which float64 cannot hold, so the arrays
only screen: they find the few marks where a peak is set or the deepest drawdown lies,
and those are worked out from the exact values with the same expressions as the plain
loops (:func:`_drawdown_loop`), so every figure is the loops' to the last bit
(``tests/unit/backtest/test_metrics_screen.py`` compares them on random curves).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from claudedex.backtest.replay import BacktestResult
from claudedex.domain import Side

DAY_S = 86_400
YEAR_S = 365.25 * DAY_S
PERIODS_PER_YEAR = 365
WEI = Decimal(10**18)
FAST_FROM = 1024  # marks: shorter curves take the plain loops (the arrays cost more there)
SCREEN_TOL = 1e-9  # relative: float drawdowns this close to the deepest are worked out exactly
Floats = npt.NDArray[np.float64]


def _q(x: float | None) -> float | str | None:
    """Six decimals; non-finite values as strings so the JSON stays standard."""
    if x is None:
        return None
    return round(x, 6) if math.isfinite(x) else str(x)


@dataclass(frozen=True, slots=True)
class _Curve:
    """An equity curve as arrays, for screening only: ``ts`` the marks' times and
    ``approx`` their values, as floats; ``marks`` the curve itself (the exact figures)."""

    ts: Floats  # seconds
    approx: Floats  # quote base units, rounded to the nearest float
    marks: list[tuple[float, int]]


def pair_array(rows: Sequence[tuple[float, Any]]) -> Floats:
    """(time, number) pairs as an (n, 2) float64 array, each number rounded to the nearest
    float as ``np.asarray`` rounds it, in one pass over the pairs (each one a cache miss on
    a long run's heap). Raises ValueError when a row is not a pair, TypeError for what is
    not a number, OverflowError beyond float range."""
    items = chain.from_iterable(rows)
    flat = np.fromiter(items, np.float64, 2 * len(rows))
    if next(items, None) is not None:  # not all pairs
        raise ValueError("expected (time, value) pairs")
    return flat.reshape(len(rows), 2)


def _curve(equity: list[tuple[float, int]]) -> _Curve | None:
    """The arrays of a long curve of (time, value) marks, times below 2**53 (floats, or
    ints that floats hold exactly), all finite; None otherwise (the plain loops take it)."""
    if len(equity) < FAST_FROM:
        return None
    try:
        flat = pair_array(equity)
    except (TypeError, ValueError, OverflowError):  # the loops say what they say
        return None
    ts, approx = flat[:, 0], flat[:, 1]
    if not (np.isfinite(approx).all() and (np.abs(ts) < 2.0**53).all()):
        return None
    return _Curve(ts, approx, equity)


def daily_returns(equity: list[tuple[float, int]], start: int) -> list[float]:
    """Simple returns between the last marks of consecutive UTC days (see module doc)."""
    return _daily_returns(equity, start, _curve(equity))


def _daily_returns(equity: list[tuple[float, int]], start: int,
                   curve: _Curve | None) -> list[float]:
    closes: dict[int, int] = {}
    if curve is None:
        for ts, value in equity:
            closes[int(ts // DAY_S)] = value
    else:  # the last mark of each day: its first in reverse order (floor_divide is //'s)
        n, marks = len(curve.marks), curve.marks
        found, first = np.unique(np.floor_divide(curve.ts, DAY_S)[::-1], return_index=True)
        last = (n - 1 - first).tolist()
        closes = {int(day): marks[i][1] for day, i in zip(found.tolist(), last, strict=True)}
    if not closes:
        return []
    days = sorted(closes)
    values = [start]
    last = closes[days[0]]
    for day in range(days[0], days[-1] + 1):  # a day with no mark keeps the last equity
        last = closes.get(day, last)
        values.append(last)
    return [b / a - 1 for a, b in zip(values, values[1:], strict=False) if a > 0]


def ratios(rets: list[float]) -> tuple[float | None, float | None]:
    """(Sharpe, Sortino), annualised by sqrt(365), rf = 0; None below two returns."""
    if len(rets) < 2:
        return None, None
    mean, sd = statistics.fmean(rets), statistics.stdev(rets)
    down = math.sqrt(sum(min(r, 0.0) ** 2 for r in rets) / len(rets))
    root = math.sqrt(PERIODS_PER_YEAR)
    sharpe = mean / sd * root if sd > 0 else 0.0
    sortino = mean / down * root if down > 0 else (math.inf if mean > 0 else 0.0)
    return sharpe, sortino


def drawdown(equity: list[tuple[float, int]]) -> tuple[float, float]:
    """(max drawdown as a fraction of the peak, its longest duration in seconds)."""
    return _drawdown(equity, _curve(equity))


def _drawdown(equity: list[tuple[float, int]], curve: _Curve | None) -> tuple[float, float]:
    found = None if curve is None else _drawdown_screened(curve)
    return _drawdown_loop(equity) if found is None else found


def _drawdown_loop(equity: list[tuple[float, int]]) -> tuple[float, float]:
    """:func:`drawdown` mark by mark: the definition the screened version must match."""
    peak, peak_ts, max_dd, dd_dur, cur_start = 0, 0.0, 0.0, 0.0, None
    for ts, v in equity:
        if v >= peak:
            if cur_start is not None:
                dd_dur = max(dd_dur, ts - cur_start)
            peak, peak_ts, cur_start = v, ts, None
        else:
            if cur_start is None:
                cur_start = peak_ts
            max_dd = max(max_dd, (peak - v) / peak if peak else 0.0)
    if cur_start is not None and equity:
        dd_dur = max(dd_dur, equity[-1][0] - cur_start)
    return max_dd, dd_dur


def _drawdown_screened(curve: _Curve) -> tuple[float, float] | None:
    """:func:`_drawdown_loop`'s figures from the arrays; None where the floats cannot
    screen (a drawdown beyond float range).

    A mark sets the peak (the loop's ``v >= peak``) where its value is at least the
    running maximum of the values before it (0 before the first). Rounding to floats keeps
    order, so a rounded value above the rounded maximum sets it for sure, one below cannot,
    and only an equal one is compared exactly, in order. The deepest drawdown is the
    loop's expression on the exact values at the marks whose float drawdown comes within
    :data:`SCREEN_TOL` of the deepest float one (their error is some 1e-16)."""
    approx, marks = curve.approx, curve.marks
    n = len(marks)
    top = np.maximum.accumulate(np.maximum(approx, 0.0))  # rounded peak, at or before
    before = np.concatenate(([0.0], top[:-1]))  # rounded peak before each mark
    peaks = approx > before
    peak: Any = 0
    for i in np.flatnonzero(peaks | (approx == before)).tolist():  # the exact peak
        v = marks[i][1]  # changes only at these marks
        if v >= peak:
            peak = v
            peaks[i] = True
    at = np.maximum.accumulate(np.where(peaks, np.arange(n), -1))  # last peak mark; -1: none
    down = np.flatnonzero(~peaks)
    if not len(down):
        return 0.0, 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        depth = np.where(top[down] > 0, (top[down] - approx[down]) / top[down], 0.0)
    deepest = float(depth.max())
    if not math.isfinite(deepest):
        return None
    max_dd = 0.0
    for i in down[depth >= deepest - SCREEN_TOL * max(1.0, deepest)].tolist():
        p = marks[int(at[i])][1] if at[i] >= 0 else 0
        max_dd = max(max_dd, (p - marks[i][1]) / p if p else 0.0)
    # each drawdown runs from the peak mark before it (time 0.0 before the first) to the
    # next peak mark, or to the last mark; its length is the loop's expression
    starts = down[np.concatenate(([True], np.diff(down) > 1))].tolist()
    stops = np.append(np.flatnonzero(peaks), n - 1)  # peak marks, then the last mark
    ends = stops[np.searchsorted(stops, starts)].tolist()
    dd_dur = 0.0
    for a, b in zip(starts, ends, strict=True):
        dd_dur = max(dd_dur, marks[b][0] - (marks[a - 1][0] if a > 0 else 0.0))
    return max_dd, dd_dur


def buy_and_hold(result: BacktestResult) -> float | None:
    """Equal-weight buy-and-hold over every replayed pair, first price to last, no fees."""
    moves = [px[-1][1] / px[0][1] - 1 for px in result.prices.values() if px and px[0][1] > 0]
    return statistics.fmean(moves) if moves else None


@dataclass(frozen=True, slots=True)
class Trade:
    """One closed (or partly closed) position leg: a sell matched at average cost."""

    token: str
    symbol: str
    entry_ts: float
    exit_ts: float
    cost_quote: int  # quote paid for the tokens sold, gas of both legs included (wei)
    proceeds_quote: int  # quote received (wei)
    pnl_quote: int

    @property
    def return_pct(self) -> float:
        return self.pnl_quote / self.cost_quote * 100 if self.cost_quote else 0.0


def trades(result: BacktestResult) -> list[Trade]:
    """Round trips at average cost, gas of both legs included (exact ints)."""
    held: dict[str, list[float]] = {}  # token -> [amount, cost, gas, first entry ts]
    out: list[Trade] = []
    for f in result.fills:
        if f.reverted:
            continue
        c = held.setdefault(f.token, [0, 0, 0, f.ts])
        if f.side is Side.BUY:
            if c[0] == 0:
                c[3] = f.ts
            c[0] += f.amount_out
            c[1] += f.amount_in
            c[2] += f.gas_cost_wei
        elif c[0] > 0:
            amount, cost, gas = int(c[0]), int(c[1]), int(c[2])
            sold = min(f.amount_in, amount)
            part, gas_part = cost * sold // amount, gas * sold // amount
            spent = part + gas_part + f.gas_cost_wei
            out.append(Trade(f.token, result.symbols.get(f.token, ""), c[3], f.ts, spent,
                             f.amount_out, f.amount_out - spent))
            c[0], c[1], c[2] = amount - sold, cost - part, gas - gas_part
    return out


def compute(result: BacktestResult) -> dict[str, Any]:
    """Every figure of the report, JSON-ready (money as decimal strings, in quote units)."""
    eq = result.equity
    start = result.starting_cash
    end = eq[-1][1] if eq else start
    span = (eq[-1][0] - eq[0][0]) if len(eq) > 1 else 0.0
    total = (end - start) / start if start else 0.0
    years = span / YEAR_S
    cagr = 0.0
    if years > 0 and start > 0 and end > 0:
        try:
            cagr = math.exp(math.log(end / start) / years) - 1
        except OverflowError:  # minutes-long runs extrapolate to absurd yearly figures
            cagr = math.inf
    curve = _curve(eq)  # arrays made once for both passes over the marks
    rets = _daily_returns(eq, start, curve)
    sharpe, sortino = ratios(rets)
    max_dd, dd_dur = _drawdown(eq, curve)
    calmar = None if len(rets) < 2 else (cagr / max_dd if max_dd > 0 else 0.0)
    ok = [f for f in result.fills if not f.reverted]
    rts = trades(result)
    pnls = [t.pnl_quote for t in rts]
    wins = [p for p in pnls if p > 0]
    gross_win, gross_loss = sum(wins), -sum(p for p in pnls if p <= 0)
    hold = buy_and_hold(result)
    return {
        "start_equity_quote": str(Decimal(start) / WEI),
        "end_equity_quote": str(Decimal(end) / WEI),
        "total_return": _q(total),
        "buy_and_hold_return": _q(hold),
        "excess_return": _q(None if hold is None else total - hold),
        "cagr": _q(cagr),
        "sharpe": _q(sharpe),
        "sortino": _q(sortino),
        "calmar": _q(calmar),
        "daily_returns": len(rets),
        "ratio_convention": "daily UTC equity, sqrt(365), rf=0",
        "max_drawdown": _q(max_dd),
        "max_drawdown_duration_s": _q(dd_dur),
        "win_rate": _q(len(wins) / len(pnls)) if pnls else 0.0,
        "profit_factor": _q(gross_win / gross_loss)
        if gross_loss > 0
        else (_q(math.inf) if gross_win else 0.0),
        "expectancy_quote": str(Decimal(sum(pnls)) / len(pnls) / WEI) if pnls else "0",
        "exposure": _q(sum(result.exposed) / len(result.exposed)) if result.exposed else 0.0,
        "trades": len(ok),
        "round_trips": len(rts),
        "sells": sum(1 for f in ok if f.side is Side.SELL),
        "reverted": len(result.fills) - len(ok),
        "signals": len(result.signals),
        "dropped_signals": result.dropped,
        "proposals": len(result.proposals),
        "approvals": dict(sorted(result.approvals.items())),
        "repairs": dict(sorted(result.repairs.items())),
        "realized_quote": str(Decimal(result.realized) / WEI),
        "fees_paid_quote": str(Decimal(result.fees_paid) / WEI),
        "gas_paid_quote": str(Decimal(result.gas_paid) / WEI),
        "halted": result.halted,
        "steps": result.steps,
    }
