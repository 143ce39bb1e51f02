"""The approval gate between the risk manager and execution.

Why its own component: the operator's decision is a safety layer independent of the risk
manager and of the signer. Proposals wait here until approved, rejected, overridden or
expired; only an approval publishes the ``ProposalDecided`` event execution listens for.
``scam`` verdicts can never be approved; ``risky`` and ``unknown`` (never judged) ones only
through an override carrying the operator's typed confirmation.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from decimal import Decimal

import structlog

from claudedex.bus import EventBus
from claudedex.clock import Clock
from claudedex.config import ApprovalsConfig
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.errors import EngineHalted, OverrideForbidden, UnknownProposal, UserInputError
from claudedex.events import Event, ProposalDecided, TradeProposed
from claudedex.portfolio.core import EXIT_STRATEGY

log = structlog.get_logger(__name__)

BPS = 10_000
NEEDS_OVERRIDE = frozenset({Verdict.RISKY, Verdict.UNKNOWN})  # buys: typed RISKY first


@dataclasses.dataclass(frozen=True, slots=True)
class Pending:
    proposal: TradeProposal
    received_at: float


def reprice(proposal: TradeProposal, *, amount_in: int | None,
            slippage_bps: int | None) -> TradeProposal:
    """Change size and/or slippage, keeping ``min_amount_out`` consistent in integers.

    The expected output is recovered from the old minimum and slippage; a larger size is
    scaled linearly, which over-states the output (price impact grows with size), so the
    new minimum errs towards reverting rather than overpaying. Execution recomputes the
    minimum from fresh reserves at send time anyway.
    """
    new_amount = proposal.amount_in if amount_in is None else amount_in
    new_slip = proposal.slippage_bps if slippage_bps is None else slippage_bps
    if new_amount <= 0:
        raise UserInputError("override size must be positive")
    if not 1 <= new_slip < BPS:
        raise UserInputError("override slippage must be between 1 and 9999 bps")
    expected = proposal.min_amount_out * BPS // (BPS - proposal.slippage_bps)
    expected = expected * new_amount // proposal.amount_in
    new_min = expected * (BPS - new_slip) // BPS
    quote = proposal.quote_value * Decimal(new_amount) / Decimal(proposal.amount_in)
    return dataclasses.replace(proposal, amount_in=new_amount, min_amount_out=new_min,
                               slippage_bps=new_slip, quote_value=quote)


class ApprovalQueue:
    def __init__(self, bus: EventBus, config: ApprovalsConfig, clock: Clock,
                 is_halted: Callable[[], bool], *, expire_every_s: float | None = 1.0) -> None:
        self._bus = bus
        # how often (wall seconds) stale proposals are expired; None: never by this queue
        # (a replay's driver expires them on its own clock, at its steps)
        self.expire_every_s = expire_every_s
        self._config = config
        self._clock = clock
        self._is_halted = is_halted
        self._pending: dict[str, Pending] = {}
        self._lock = asyncio.Lock()
        self.auto_approve_below: Decimal = config.auto_approve_below_quote

    def pending(self) -> list[TradeProposal]:
        return [p.proposal for p in self._pending.values()]

    def get(self, proposal_id: str) -> TradeProposal:
        try:
            return self._pending[proposal_id].proposal
        except KeyError:
            raise UnknownProposal(f"no pending proposal with id {proposal_id!r}") from None

    async def run(self) -> None:
        """Take proposals off the bus and expire stale ones."""
        sub = self._bus.subscribe("approvals", [TradeProposed.topic], handler=self.handle)
        try:
            async with asyncio.TaskGroup() as group:
                if self.expire_every_s is not None:
                    group.create_task(self._expire_loop(self.expire_every_s),
                                      name="approvals-expiry")
                async for event in sub:
                    await self.handle(event)
        finally:
            sub.close()

    async def handle(self, event: Event) -> None:
        """One event from the bus: a proposal is submitted (see :meth:`submit`)."""
        if isinstance(event, TradeProposed):
            await self.submit(event.proposal, decided_by=event.decided_by,
                              confirmation=event.confirmation)

    async def submit(self, proposal: TradeProposal, *, decided_by: str = "",
                     confirmation: str = "") -> None:
        """Queue a proposal; apply an operator command's decision or an auto rule at once.

        A decision that the gate refuses (scam, halted, risky/unknown without the typed
        word) rejects the proposal with the refusal as its note, so the command sees why.
        """
        if proposal.verdict is Verdict.SCAM and proposal.side is Side.BUY:
            await self._decide(proposal, "rejected", "engine", "scam verdict: never bought")
            return
        superseded: TradeProposal | None = None
        async with self._lock:
            twin = None if decided_by else self._live_twin(proposal)
            if twin is not None and self._is_exit(proposal) and not self._is_exit(twin):
                superseded = self._pending.pop(twin.id).proposal  # an exit goes first
            elif twin is None:
                self._pending[proposal.id] = Pending(proposal, self._clock.now())
        if twin is not None and superseded is None:
            await self._decide(proposal, "rejected", "engine",
                               f"duplicate: {twin.id} for this token and side is pending")
            return
        if superseded is not None:
            await self._decide(superseded, "rejected", "engine",
                               f"superseded by exit {proposal.id}")
            async with self._lock:
                self._pending[proposal.id] = Pending(proposal, self._clock.now())
        if decided_by:
            try:
                if confirmation:
                    await self.override(proposal.id, accept_risky=True,
                                        confirmation=confirmation, by=decided_by)
                else:
                    await self.approve(proposal.id, by=decided_by)
            except (OverrideForbidden, EngineHalted) as exc:
                await self.reject(proposal.id, reason=f"refused: {exc}", by="engine")
            return
        rule = self._auto_rule(proposal)
        if rule is not None:
            await self.approve(proposal.id, by=f"auto:{rule}")

    def _live_twin(self, proposal: TradeProposal) -> TradeProposal | None:
        """The pending proposal for the same token and side, if any: one live proposal per
        token and side, whichever path (strategy, exit, command) made it."""
        token = proposal.token.lower()
        for pending in self._pending.values():
            other = pending.proposal
            if other.side is proposal.side and other.token.lower() == token:
                return other
        return None

    @staticmethod
    def _is_exit(proposal: TradeProposal) -> bool:
        return proposal.side is Side.SELL and proposal.strategy == EXIT_STRATEGY

    def _auto_rule(self, proposal: TradeProposal) -> str | None:
        if self._is_halted():
            return None
        if (self._config.auto_approve_exits and proposal.side is Side.SELL
                and proposal.strategy == EXIT_STRATEGY):
            return "exit"
        if proposal.verdict.value not in self._config.auto_approve_verdicts:
            return None
        if proposal.verdict is not Verdict.SAFE and proposal.side is Side.BUY:
            return None  # a risky buy needs the typed override: no rule may approve it
        if self.auto_approve_below > 0 and proposal.quote_value < self.auto_approve_below:
            return f"below {self.auto_approve_below}"
        return None

    async def _take(self, proposal_id: str) -> TradeProposal:
        async with self._lock:
            pending = self._pending.pop(proposal_id, None)
        if pending is None:
            raise UnknownProposal(f"no pending proposal with id {proposal_id!r}")
        return pending.proposal

    async def approve(self, proposal_id: str, by: str = "operator") -> TradeProposal:
        proposal = self.get(proposal_id)
        if self._is_halted():
            raise EngineHalted("engine is halted: resume before approving trades")
        if proposal.verdict in NEEDS_OVERRIDE and proposal.side is Side.BUY:
            raise OverrideForbidden(f"verdict is {proposal.verdict}: use override with a typed "
                                    "confirmation")
        proposal = await self._take(proposal_id)
        await self._decide(proposal, "approved", by)
        return proposal

    async def reject(self, proposal_id: str, reason: str = "", by: str = "operator") -> None:
        proposal = await self._take(proposal_id)
        await self._decide(proposal, "rejected", by, reason)

    async def override(self, proposal_id: str, *, amount_in: int | None = None,
                       slippage_bps: int | None = None, accept_risky: bool = False,
                       confirmation: str = "", by: str = "operator") -> TradeProposal:
        proposal = self.get(proposal_id)
        if self._is_halted():
            raise EngineHalted("engine is halted: resume before approving trades")
        if proposal.verdict is Verdict.SCAM and proposal.side is Side.BUY:
            raise OverrideForbidden("scam verdicts cannot be overridden")
        if proposal.verdict in NEEDS_OVERRIDE and proposal.side is Side.BUY:
            if not accept_risky or confirmation.strip() != "RISKY":
                raise OverrideForbidden(f"{proposal.verdict} verdict: type RISKY to confirm "
                                        "the override")
        changed = reprice(proposal, amount_in=amount_in, slippage_bps=slippage_bps)
        await self._take(proposal_id)
        note = f"amount_in={changed.amount_in} slippage_bps={changed.slippage_bps}"
        if accept_risky:
            note += " risky accepted"
        await self._decide(changed, "overridden", by, note)
        return changed

    async def _decide(self, proposal: TradeProposal, decision: str, by: str,
                      note: str = "") -> None:
        log.info("proposal_decided", proposal_id=proposal.id, decision=decision, by=by,
                 note=note)
        await self._bus.publish(ProposalDecided(proposal_id=proposal.id, decision=decision,
                                                by=by, note=note, proposal=proposal))

    async def _expire_loop(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            now = self._clock.now()
            ttl = self._config.proposal_ttl_s
            stale = [pid for pid, p in self._pending.items() if now - p.received_at > ttl]
            for pid in stale:
                try:
                    proposal = await self._take(pid)
                except UnknownProposal:
                    continue
                await self._decide(proposal, "expired", "engine", f"not decided in {ttl}s")
