"""What a replay produces: the kernel's fills, signals, decisions and equity, and how its
decisions and fees are counted in the report.

Why apart from the driver: the metrics, the report, the parameter search and the CLI read
a result; none of them needs the driver that made it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from claudedex.backtest.simvenue import SimFill
from claudedex.domain import Side, Signal, TradeProposal
from claudedex.events import ProposalDecided


@dataclass(slots=True)
class BacktestResult:
    """What the kernel did on the replay. Amounts in base units (wei for quote)."""

    starting_cash: int
    equity: list[tuple[float, int]] = field(default_factory=list)  # (ts, equity) per tick
    exposed: list[bool] = field(default_factory=list)
    prices: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # pair: ts, px
    fills: list[SimFill] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    proposals: list[TradeProposal] = field(default_factory=list)
    decisions: list[ProposalDecided] = field(default_factory=list)
    approvals: Counter[str] = field(default_factory=Counter)
    dropped: int = 0  # signals the risk manager turned down (no proposal)
    realized: int = 0
    gas_paid: int = 0
    fees_paid: int = 0
    halted: str = ""
    steps: int = 0
    quiet_ticks: int = 0  # ticks folded into the views without the bus (fastpath.py)
    direct_ticks: int = 0  # held ticks handed to the runner and portfolio without the bus
    held_folded: int = 0  # of those, ticks marked in bulk up to an alarm (heldfold.py)
    pumped: list[str] = field(default_factory=list)  # mailboxes the driver's task handled
    scores: int = 0  # TokenScored records replayed (the ai strategy trades only on these)
    symbols: dict[str, str] = field(default_factory=dict)  # token -> symbol
    repairs: dict[str, int] = field(default_factory=dict)  # data repairs, by kind


def decision_kind(ev: ProposalDecided) -> str:
    """``auto`` (the profile's rules), ``backtest:<flag>``, ``expired`` or the gate's own."""
    if ev.by.startswith("auto:"):
        return f"{ev.decision} by auto rule"
    if ev.by == "backtest:expired" or ev.decision == "expired":  # ours, or the queue's timer
        return "expired (left to the operator)"
    if ev.by.startswith("backtest:"):
        return f"{ev.decision} by --approve {ev.by.removeprefix('backtest:')}"
    return f"{ev.decision} by {ev.by or 'engine'}"


def fee_in_quote(f: SimFill) -> int:
    """The pool fee of one fill, in quote: a sell's fee (paid in tokens) at the fill's rate."""
    if f.reverted:
        return 0
    if f.side is Side.BUY:
        return f.fee_paid
    return f.fee_paid * f.amount_out // max(f.amount_in - f.fee_paid, 1)


__all__ = ["BacktestResult", "decision_kind", "fee_in_quote"]
