"""What happened, for the console's history screens: orders, trades with their P&L, exits
with reason and outcome, and what became of every strategy signal.

Why apart from :mod:`tui.state`: the live panes need the current picture; these screens
need the story. Both are rebuilt from engine events only (no I/O, no Textual), and stored
fills replayed at start-up (:meth:`History.restore`) give back the story of earlier runs.
Amounts stay integers in base units; P&L is exact (wei).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field

from claudedex.domain import Side, TradeProposal
from claudedex.events import (
    Event,
    OrderFilled,
    OrderUpdated,
    PositionChanged,
    ProposalDecided,
    SignalDecided,
)

EXIT = "exit"  # TradeProposal.strategy of every exit (claudedex.portfolio.core.EXIT_STRATEGY)
KEEP = 500
FAILED_STATES = frozenset({"failed", "reverted", "dropped", "cancelled"})


@dataclass(slots=True)
class OrderRow:
    """One order: the proposal behind it (when seen), its latest state and its fill."""

    order_id: str
    token: str
    side: str
    symbol: str = ""
    strategy: str = ""
    reason: str = ""  # the signal's reason: for an exit, which rule fired
    state: str = "approved"
    detail: str = ""
    updated_at: float = 0.0
    amount_in: int = 0
    amount_out: int = 0
    gas_cost_wei: int = 0
    pnl_quote: int | None = None  # a sell's P&L in wei: out - cost of what was sold - gas

    @property
    def is_exit(self) -> bool:
        return self.strategy == EXIT


@dataclass(slots=True)
class Costs:
    """A token's open amount and what it cost, to price each sell's P&L."""

    amount: int = 0
    cost_quote: int = 0


@dataclass(slots=True)
class History:
    orders: OrderedDict[str, OrderRow] = field(default_factory=OrderedDict)
    decisions: deque[SignalDecided] = field(default_factory=lambda: deque(maxlen=KEEP))
    costs: dict[str, Costs] = field(default_factory=dict)

    def trades(self) -> list[OrderRow]:
        """Filled orders, newest first."""
        return [o for o in reversed(self.orders.values()) if o.state == "filled"]

    def exits(self) -> list[OrderRow]:
        """Exit orders (stop-loss, take-profit, …) with their outcome, newest first."""
        return [o for o in reversed(self.orders.values()) if o.is_exit]

    def apply(self, event: Event) -> str:
        """Fold one event in; returns ``"exit_failed"`` when an exit order just failed
        (the console's attention cue), else ``"changed"`` or ``""``."""
        if isinstance(event, SignalDecided):
            self.decisions.append(event)
            return "changed"
        if isinstance(event, ProposalDecided):
            if event.decision in ("approved", "overridden") and event.proposal is not None:
                self._order(f"o-{event.proposal_id}", event.proposal, event.ts)
                return "changed"
            return ""
        if isinstance(event, OrderUpdated):
            row = self.orders.get(event.order_id)
            if row is None:
                row = self.orders[event.order_id] = OrderRow(event.order_id, "", "")
            was_failed = row.state in FAILED_STATES
            row.state, row.updated_at = event.state, event.ts
            row.detail = event.detail or row.detail
            if row.is_exit and event.state in FAILED_STATES and not was_failed:
                return "exit_failed"
            return "changed"
        if isinstance(event, OrderFilled):
            self.fill(event)
            return "changed"
        if isinstance(event, PositionChanged):
            self.costs[event.token.lower()] = Costs(event.amount, event.cost_quote)
        return ""

    def _order(self, order_id: str, proposal: TradeProposal, ts: float) -> None:
        row = self.orders.get(order_id) or OrderRow(order_id, proposal.token, "")
        row.token, row.side = proposal.token, proposal.side.value
        row.symbol, row.strategy, row.reason = proposal.symbol, proposal.strategy, proposal.reason
        row.updated_at = row.updated_at or ts
        self.orders[order_id] = row
        self._trim()

    def fill(self, event: OrderFilled) -> None:
        """A fill: the order is filled; a sell's P&L is priced from the average cost."""
        row = self.orders.get(event.order_id)
        if row is None:
            row = self.orders[event.order_id] = OrderRow(event.order_id, event.token,
                                                         event.side)
        row.token, row.side = row.token or event.token, row.side or event.side
        row.state, row.updated_at = "filled", event.ts
        row.amount_in, row.amount_out = event.amount_in, event.amount_out
        row.gas_cost_wei = event.gas_cost_wei
        costs = self.costs.setdefault(event.token.lower(), Costs())
        if event.side == Side.BUY.value:
            costs.amount += event.amount_out
            costs.cost_quote += event.amount_in
        elif costs.amount > 0:
            sold = min(event.amount_in, costs.amount)
            basis = costs.cost_quote * sold // costs.amount
            row.pnl_quote = event.amount_out - basis - event.gas_cost_wei
            costs.amount -= sold
            costs.cost_quote -= basis
        self._trim()

    def restore(self, fills: list[OrderFilled]) -> None:
        """Stored fills of earlier runs (oldest first), before any live event."""
        for event in fills:
            self.fill(event)

    def _trim(self) -> None:
        while len(self.orders) > KEEP:
            self.orders.popitem(last=False)
