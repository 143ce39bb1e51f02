"""Typed engine events (past tense), one topic each.

Every event is a frozen dataclass with a class-level ``topic``; coalescing topics also
define :meth:`Event.key` so that only the latest event per key is kept under load.
Faces subscribe to these; nothing here knows about any face.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from claudedex.domain import PairInfo, RiskReport, Score, Signal, TradeProposal


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every bus event; ``ts`` is wall time for display and logs only."""

    topic: ClassVar[str] = "misc"
    ts: float = field(default_factory=time.time)

    def key(self) -> str:
        """Coalescing key: events with the same key on a coalesce topic replace each other."""
        return self.topic


# --- market and discovery -------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockSeen(Event):
    topic: ClassVar[str] = "chain.block"
    chain_id: int
    number: int
    base_fee_wei: int = 0

    def key(self) -> str:
        return f"{self.chain_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceTicked(Event):
    topic: ClassVar[str] = "market.price"
    pair: str
    reserve_token: int
    reserve_quote: int
    block_number: int

    def key(self) -> str:
        return self.pair


@dataclass(frozen=True, slots=True, kw_only=True)
class PairDiscovered(Event):
    topic: ClassVar[str] = "discovery.pair"
    pair: PairInfo
    source: str = "chain"


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlyWarningRaised(Event):
    """The mempool saw something dangerous about a token (owner call, liquidity removal)."""

    topic: ClassVar[str] = "discovery.warning"
    token: str
    kind: str
    detail: str
    tx_hash: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskAssessed(Event):
    topic: ClassVar[str] = "safety.report"
    report: RiskReport


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenScored(Event):
    topic: ClassVar[str] = "ml.score"
    score: Score


# --- decisions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalEmitted(Event):
    topic: ClassVar[str] = "strategy.signal"
    signal: Signal


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalDecided(Event):
    """What became of one strategy signal, so the operator can see why no proposal came.

    ``outcome``: ``"proposed"`` (``proposal_id`` set, ``size_by`` names what decided the
    size: the sizing rule or the cap that bound it), ``"dropped"`` (``reason``: the risk
    factor, limit or verdict that stopped it) or ``"cooldown"`` (a proposal for this token
    and side was made less than the cooldown ago; reported once per cooldown).
    """

    topic: ClassVar[str] = "strategy.decision"
    token: str
    side: str  # "buy" | "sell"
    strategy: str
    outcome: str
    reason: str = ""
    proposal_id: str = ""
    size_by: str = ""
    symbol: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeProposed(Event):
    """A sized proposal. ``decided_by`` is set when an operator command (``trade``, the
    control API) made it: the approval gate applies that decision with the same checks as
    a click, ``confirmation`` carrying the typed word a risky/unknown buy needs."""

    topic: ClassVar[str] = "trade.proposal"
    proposal: TradeProposal
    decided_by: str = ""
    confirmation: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalDecided(Event):
    """The operator (or an auto rule) approved, rejected or overrode a proposal."""

    topic: ClassVar[str] = "trade.decision"
    proposal_id: str
    decision: str  # "approved" | "rejected" | "overridden" | "expired"
    by: str  # "operator" | "auto:<rule>" | "engine"
    note: str = ""
    proposal: TradeProposal | None = None


# --- execution and portfolio ----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderUpdated(Event):
    topic: ClassVar[str] = "trade.order"
    order_id: str
    state: str
    tx_hash: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFilled(Event):
    topic: ClassVar[str] = "trade.fill"
    order_id: str
    token: str
    side: str
    amount_in: int
    amount_out: int
    gas_cost_wei: int
    tx_hash: str
    block_number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FillRolledBack(Event):
    """A reorg removed the block of an earlier :class:`OrderFilled` (same fields): the
    portfolio and the fill history undo it; the order's transaction is watched again and,
    if it lands again, a new OrderFilled follows."""

    topic: ClassVar[str] = "trade.fill_rolled_back"
    order_id: str
    token: str
    side: str
    amount_in: int
    amount_out: int
    gas_cost_wei: int
    tx_hash: str
    block_number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionChanged(Event):
    topic: ClassVar[str] = "portfolio.position"
    token: str
    symbol: str
    amount: int
    cost_quote: int  # quote base units paid for the open amount
    mark_quote: int  # what selling it all now would return, in quote base units
    realized_quote: int
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    exit_status: str = ""  # "" or why an exit is pending/failing (shown; buys wait for it)
    peak_quote: int = 0  # the highest mark since opening (the trailing stop's), quote wei

    def key(self) -> str:
        return self.token


@dataclass(frozen=True, slots=True, kw_only=True)
class EquityMarked(Event):
    topic: ClassVar[str] = "portfolio.equity"
    equity_quote: int
    realized_quote: int
    unrealized_quote: int


# --- engine state ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineHaltChanged(Event):
    topic: ClassVar[str] = "engine.halt"
    halted: bool
    reason: str
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRaised(Event):
    topic: ClassVar[str] = "engine.alert"
    level: str  # "info" | "warning" | "error" | "critical"
    message: str
    source: str = "engine"


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentFailed(Event):
    """A supervised task crashed; it is being restarted with backoff."""

    topic: ClassVar[str] = "engine.component"
    component: str
    error: str
    restarts: int
