"""What the console knows, rebuilt from engine events only (no I/O, no Textual).

Why a plain model: the worker's messages are applied here, then the app hands the changed
parts down to the panes. Tests and the benchmark can drive it without a terminal, and a
pane never reaches into the engine.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from decimal import Decimal

from claudedex.domain import PairInfo, RiskReport, Score, TradeProposal
from claudedex.events import (
    AlertRaised,
    BlockSeen,
    ComponentFailed,
    EarlyWarningRaised,
    EngineHaltChanged,
    EquityMarked,
    Event,
    OrderFilled,
    OrderUpdated,
    PairDiscovered,
    PositionChanged,
    PriceTicked,
    ProposalDecided,
    RiskAssessed,
    SignalDecided,
    SignalEmitted,
    TokenScored,
    TradeProposed,
)
from tui.formatting import token_amount
from tui.history import History
from tui.safe_text import clean

HISTORY = 240  # price points kept per pair for the detail chart
EQUITY_HISTORY = 2_000


@dataclass(slots=True)
class PairRow:
    """Everything the console has heard about one pair."""

    info: PairInfo
    seen_at: float
    seq: int
    report: RiskReport | None = None
    score: Score | None = None
    reserve_token: int = 0
    reserve_quote: int = 0
    prices: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY))
    volumes: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY))
    stamps: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY))  # tick ts
    warnings: list[str] = field(default_factory=list)

    @property
    def liquidity_quote(self) -> int | None:
        if self.reserve_quote:
            return self.reserve_quote
        return self.report.liquidity_quote if self.report else None

    def observe(self, tick: PriceTicked) -> None:
        if tick.reserve_token <= 0:
            return
        if self.reserve_quote:
            # Quote volume approximated by the change of the quote reserve (analytics only).
            self.volumes.append(abs(tick.reserve_quote - self.reserve_quote) / 1e18)
        else:
            self.volumes.append(0.0)
        self.reserve_token, self.reserve_quote = tick.reserve_token, tick.reserve_quote
        self.prices.append(tick.reserve_quote / tick.reserve_token)
        self.stamps.append(tick.ts)


@dataclass(slots=True)
class Changes:
    """Which parts of the model a batch of events touched (so only those panes redraw)."""

    pairs: set[str] = field(default_factory=set)
    proposals: bool = False
    positions: bool = False
    equity: bool = False
    status: bool = False
    history: bool = False
    logs: list[tuple[str, str]] = field(default_factory=list)  # (level, plain text)
    # attention cues: ("proposal" | "exit_failed", plain text) for the bell and a toast
    attention: list[tuple[str, str]] = field(default_factory=list)

    def log(self, level: str, text: str) -> None:
        self.logs.append((level, text))


@dataclass(slots=True)
class ConsoleState:
    profile: str = ""
    chain: str = ""
    signer: str = ""
    block: int = 0
    base_fee_wei: int = 0
    halted: bool = False
    halt_reason: str = ""
    pairs: dict[str, PairRow] = field(default_factory=dict)
    token_pair: dict[str, str] = field(default_factory=dict)  # token -> its latest pair
    token_pairs: dict[str, list[str]] = field(default_factory=dict)  # token -> every pair
    proposals: OrderedDict[str, TradeProposal] = field(default_factory=OrderedDict)
    positions: dict[str, PositionChanged] = field(default_factory=dict)
    equity: deque[tuple[float, int]] = field(
        default_factory=lambda: deque(maxlen=EQUITY_HISTORY))
    realized_quote: int = 0
    unrealized_quote: int = 0
    peak_equity: int = 0
    day: str = ""
    day_start_equity: int | None = None
    events_seen: int = 0
    history: History = field(default_factory=History)
    proposal_at: dict[str, float] = field(default_factory=dict)  # id -> received (wall s)
    size_by: dict[str, str] = field(default_factory=dict)  # proposal id -> what sized it
    ml_off: str = ""  # why ML scoring is off, when the scorer said so
    wallet_quote: int | None = None  # the signer's quote balance read at start (wei)
    starting: str = ""  # start-up progress while the engine starts ("" once running)

    # -- derived figures (exact) -------------------------------------------------------

    @property
    def equity_quote(self) -> int:
        if self.equity:
            return self.equity[-1][1]
        return self.wallet_quote or 0  # before the first mark: what the wallet holds

    @property
    def open_positions(self) -> int:
        return sum(1 for p in self.positions.values() if p.amount > 0)

    @property
    def pending_buys(self) -> int:
        """Buy proposals waiting: they count against the open-position limit when the
        risk manager sizes the next signal, but they are not positions."""
        return sum(1 for p in self.proposals.values() if p.side.value == "buy")

    @property
    def exposure_quote(self) -> int:
        return sum(p.mark_quote for p in self.positions.values() if p.amount > 0)

    @property
    def drawdown_pct(self) -> Decimal:
        if self.peak_equity <= 0:
            return Decimal(0)
        return Decimal(self.peak_equity - self.equity_quote) * 100 / Decimal(self.peak_equity)

    @property
    def today_quote(self) -> int:
        if self.day_start_equity is None:
            return 0
        return self.equity_quote - self.day_start_equity

    def pair_for_token(self, token: str) -> PairRow | None:
        pair = self.token_pair.get(token.lower())
        return self.pairs.get(pair) if pair else None

    def seed_proposals(self, proposals: list[TradeProposal], now: float) -> None:
        for proposal in proposals:
            self.proposals[proposal.id] = proposal
            self.proposal_at.setdefault(proposal.id, now)

    # -- applying events ---------------------------------------------------------------

    def apply(self, event: Event, changes: Changes, now: float) -> None:
        self.events_seen += 1
        if isinstance(event, PriceTicked):
            row = self.pairs.get(event.pair.lower())
            if row is not None:
                row.observe(event)
                changes.pairs.add(event.pair.lower())
        elif isinstance(event, BlockSeen):
            self.block = max(self.block, event.number)
            self.base_fee_wei = event.base_fee_wei
            changes.status = True
        elif isinstance(event, PairDiscovered):
            self._discovered(event.pair, event.ts, changes)
        elif isinstance(event, RiskAssessed):
            row = self._row_for(event.report.pair, event.report.token)
            if row is not None:
                row.report = event.report
                changes.pairs.add(row.info.pair.lower())
        elif isinstance(event, TokenScored):  # a token's score: every pair of it shows it
            for key in self.token_pairs.get(event.score.token.lower(), ()):
                self.pairs[key].score = event.score
                changes.pairs.add(key)
        elif isinstance(event, TradeProposed):
            self.proposals[event.proposal.id] = event.proposal
            self.proposal_at[event.proposal.id] = event.ts
            changes.proposals = True
            text = (f"proposal {event.proposal.id}: {event.proposal.side.value} "
                    f"{event.proposal.symbol or event.proposal.token}")
            changes.log("info", text)
            if not event.decided_by:
                changes.attention.append(("proposal", text))
        elif isinstance(event, ProposalDecided):
            if self.proposals.pop(event.proposal_id, None) is not None:
                changes.proposals = True
            self.proposal_at.pop(event.proposal_id, None)
            changes.history = bool(self.history.apply(event)) or changes.history
            changes.log("info", f"proposal {event.proposal_id} {event.decision} by {event.by}"
                                + (f": {event.note}" if event.note else ""))
        elif isinstance(event, PositionChanged):
            self.positions[event.token.lower()] = event
            self.history.apply(event)
            changes.positions = True
        elif isinstance(event, EquityMarked):
            self._mark(event, now)
            changes.equity = True
        elif isinstance(event, EngineHaltChanged):
            self.halted, self.halt_reason = event.halted, event.reason
            changes.status = True
            changes.log("critical" if event.halted else "warning",
                        f"{'HALTED' if event.halted else 'resumed'} by {event.by}: {event.reason}")
        else:
            self._log_only(event, changes)

    def _log_only(self, event: Event, changes: Changes) -> None:
        if isinstance(event, AlertRaised):
            changes.log(event.level, f"[{event.source}] {event.message}")
            if event.source == "devnet" or event.level in ("error", "critical"):
                changes.attention.append(("alert", event.message))
            if event.source == "ml" and "off" in event.message.lower():
                self.ml_off = event.message
                changes.pairs.update(self.pairs)  # every unscored row says why
        elif isinstance(event, EarlyWarningRaised):
            row = self.pair_for_token(event.token)
            if row is not None:
                row.warnings.append(f"{event.kind}: {event.detail}")
                changes.pairs.add(row.info.pair.lower())
            changes.log("warning", f"early warning {event.kind} on {event.token}: "
                                   f"{event.detail}")
        elif isinstance(event, ComponentFailed):
            changes.log("error", f"component {event.component} failed "
                                 f"(restart {event.restarts}): {event.error}")
        elif isinstance(event, OrderUpdated):
            changes.log("info", f"order {event.order_id} {event.state} {event.detail}".strip())
            outcome = self.history.apply(event)
            changes.history = True
            if outcome == "exit_failed":
                order = self.history.orders[event.order_id]
                changes.attention.append(
                    ("exit_failed", f"exit of {order.symbol or order.token} {event.state}: "
                                    f"{event.detail or order.reason}"))
        elif isinstance(event, OrderFilled):
            self.history.apply(event)
            changes.history = True
            changes.log("info", self.fill_text(event))
        elif isinstance(event, SignalDecided):
            self.history.apply(event)
            if event.proposal_id and event.size_by:
                self.size_by[event.proposal_id] = event.size_by
                changes.proposals = changes.proposals or event.proposal_id in self.proposals
            changes.history = True
        elif isinstance(event, SignalEmitted):
            changes.log("debug", f"signal {event.signal.strategy} {event.signal.side.value} "
                                 f"{event.signal.token}: {event.signal.reason}")

    def decimals(self, token: str) -> int:
        row = self.pair_for_token(token)
        return row.info.decimals if row is not None else 18

    def fill_text(self, event: OrderFilled) -> str:
        """A fill in human units: ``fill o-1 buy 0.2 ETH → 190,000.00 PEPE2 tx 0xabab…``."""
        row = self.pair_for_token(event.token)
        symbol = clean(row.info.symbol, 16) if row is not None and row.info.symbol else "tokens"
        decimals = self.decimals(event.token)
        if event.side == "buy":
            what = (f"{token_amount(event.amount_in, 18)} ETH → "
                    f"{token_amount(event.amount_out, decimals)} {symbol}")
        else:
            what = (f"{token_amount(event.amount_in, decimals)} {symbol} → "
                    f"{token_amount(event.amount_out, 18)} ETH")
        return f"fill {event.order_id} {event.side} {what} tx {event.tx_hash[:12]}…"

    def _discovered(self, info: PairInfo, seen_at: float, changes: Changes) -> None:
        key = info.pair.lower()
        if key not in self.pairs:
            self.pairs[key] = PairRow(info=info, seen_at=seen_at, seq=len(self.pairs))
        else:
            self.pairs[key].info = info
        self.token_pair[info.token.lower()] = key
        pairs = self.token_pairs.setdefault(info.token.lower(), [])
        if key not in pairs:
            pairs.append(key)
        changes.pairs.add(key)

    def _row_for(self, pair: str, token: str) -> PairRow | None:
        row = self.pairs.get(pair.lower()) if pair else None
        return row if row is not None else self.pair_for_token(token)

    def _mark(self, event: EquityMarked, now: float) -> None:
        self.equity.append((event.ts, event.equity_quote))
        self.realized_quote, self.unrealized_quote = event.realized_quote, event.unrealized_quote
        self.peak_equity = max(self.peak_equity, event.equity_quote)
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        if day != self.day or self.day_start_equity is None:
            self.day, self.day_start_equity = day, event.equity_quote
