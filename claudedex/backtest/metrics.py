"""Backtest report figures from the equity curve and the fills.

Floats are fine here: these are analytics about a finished run, never order amounts.
Money totals (fees, gas, P&L) are still reported from the exact integers.
"""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from typing import Any

from claudedex.backtest.replay import BacktestResult
from claudedex.domain import Side

YEAR_S = 365.25 * 86_400


def _q(x: float) -> float | str:
    """Six decimals; non-finite values as strings so the JSON stays standard."""
    return round(x, 6) if math.isfinite(x) else str(x)


def compute(result: BacktestResult) -> dict[str, Any]:
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
    rets = [b[1] / a[1] - 1 for a, b in zip(eq, eq[1:], strict=False) if a[1] > 0]
    dts = [b[0] - a[0] for a, b in zip(eq, eq[1:], strict=False) if b[0] > a[0]]
    per_year = YEAR_S / statistics.median(dts) if dts else 0.0
    sharpe = sortino = 0.0
    if len(rets) > 1:
        mean, sd = statistics.fmean(rets), statistics.pstdev(rets)
        down = math.sqrt(sum(min(r, 0.0) ** 2 for r in rets) / len(rets))
        sharpe = mean / sd * math.sqrt(per_year) if sd > 0 else 0.0
        sortino = mean / down * math.sqrt(per_year) if down > 0 else 0.0
    peak, peak_ts, max_dd, dd_dur, cur_start = 0, 0.0, 0.0, 0.0, None
    for ts, v in eq:
        if v >= peak:
            if cur_start is not None:
                dd_dur = max(dd_dur, ts - cur_start)
            peak, peak_ts, cur_start = v, ts, None
        else:
            if cur_start is None:
                cur_start = peak_ts
            max_dd = max(max_dd, (peak - v) / peak if peak else 0.0)
    if cur_start is not None and eq:
        dd_dur = max(dd_dur, eq[-1][0] - cur_start)
    ok = [f for f in result.fills if not f.reverted]
    sells = [f for f in ok if f.proposal.side is Side.SELL]
    pnls = _round_trip_pnls(result)
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p <= 0]
    gross_win, gross_loss = sum(wins), -sum(losses)
    wei = Decimal(10**18)
    return {
        "start_equity_quote": str(Decimal(start) / wei),
        "end_equity_quote": str(Decimal(end) / wei),
        "total_return": _q(total),
        "cagr": _q(cagr),
        "sharpe": _q(sharpe),
        "sortino": _q(sortino),
        "calmar": _q(cagr / max_dd if math.isfinite(cagr) else cagr) if max_dd > 0 else 0.0,
        "max_drawdown": _q(max_dd),
        "max_drawdown_duration_s": _q(dd_dur),
        "win_rate": _q(len(wins) / len(pnls)) if pnls else 0.0,
        "profit_factor": _q(gross_win / gross_loss)
        if gross_loss > 0
        else (math.inf if gross_win else 0.0),
        "expectancy_quote": str(Decimal(sum(pnls)) / len(pnls) / wei) if pnls else "0",
        "exposure": _q(sum(result.exposed) / len(result.exposed)) if result.exposed else 0.0,
        "trades": len(ok),
        "round_trips": len(pnls),
        "sells": len(sells),
        "reverted": len(result.fills) - len(ok),
        "proposals": len(result.proposals),
        "signals": len(result.signals),
        "dropped_signals": len(result.dropped),
        "realized_quote": str(Decimal(result.realized) / wei),
        "fees_paid_quote": str(Decimal(result.fees_paid) / wei),
        "gas_paid_quote": str(Decimal(result.gas_paid) / wei),
        "halted": result.halted,
        "steps": result.steps,
    }


def _round_trip_pnls(result: BacktestResult) -> list[int]:
    """P&L per sell fill at average cost, gas of both legs included (exact ints)."""
    cost: dict[str, list[int]] = {}  # token -> [amount, cost, gas]
    out: list[int] = []
    for f in result.fills:
        if f.reverted:
            continue
        p = f.proposal
        c = cost.setdefault(p.token, [0, 0, 0])
        if p.side is Side.BUY:
            c[0] += f.amount_out
            c[1] += f.amount_in
            c[2] += f.gas_cost_wei
        elif c[0] > 0:
            sold = min(f.amount_in, c[0])
            part, gas_part = c[1] * sold // c[0], c[2] * sold // c[0]
            out.append(f.amount_out - part - gas_part - f.gas_cost_wei)
            c[0] -= sold
            c[1] -= part
            c[2] -= gas_part
    return out
