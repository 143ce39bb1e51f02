"""The execution component: approved proposals in, journaled orders and fills out.

Why the venue is a parameter: the state machine, journal and checks below are the same in
every mode; only the last step (sign and send, or simulate) is the venue's
(:mod:`claudedex.execution.venue`).

Why this shape: every transition is journaled *before* the side effect it allows (the route
before signing, the raw transaction before sending), and published after, so a crash at
any point leaves a journal from which :meth:`ExecutionEngine.recover` can finish the order
without signing it twice. The halt is checked before signing and again by the guarded
signer itself, which is the check that cannot be skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

import structlog
from eth_utils.address import to_checksum_address

from claudedex.amm import AmmError
from claudedex.bus import EventBus
from claudedex.clock import Clock
from claudedex.config import Profile
from claudedex.domain import RiskReport, Side, TradeProposal, Verdict, token_verdict
from claudedex.errors import ChainError, EngineHalted, SignerRefused, StorageError
from claudedex.events import (
    AlertRaised,
    EngineHaltChanged,
    Event,
    OrderUpdated,
    ProposalDecided,
    RiskAssessed,
)
from claudedex.execution.aggregator import AggregatorClient
from claudedex.execution.fees import FeeCaps
from claudedex.execution.finality import FinalityWatch
from claudedex.execution.nonces import NonceManager
from claudedex.execution.order import Order
from claudedex.execution.planner import Planner, Taxes
from claudedex.execution.recovery import recover
from claudedex.execution.relay import Broadcaster, PublicBroadcaster
from claudedex.execution.routing import VenueRef
from claudedex.execution.settlement import Settlement
from claudedex.execution.states import ON_CHAIN_POSSIBLE, TERMINAL, OrderState, check_transition
from claudedex.execution.txflow import TRANSIENT, FlowPolicy, TxFlow
from claudedex.execution.venue import ChainVenue, Venue, VenueContext, paper_account
from claudedex.portfolio.core import EXIT_STRATEGY
from claudedex.rpc.lazy_errors import client_error, web3_exception

T = TypeVar("T")
log = structlog.get_logger(__name__)
S = OrderState
EXECUTE_DECISIONS = frozenset({"approved", "overridden"})
ORDER_ERRORS: tuple[type[BaseException], ...] = (
    ChainError, AmmError, ValueError, SignerRefused, *TRANSIENT,
)  # and aiohttp's and web3's base classes, added where caught (claudedex.rpc.lazy_errors)


class VerdictChanged(SignerRefused):
    """The token's latest safety verdict forbids a buy the operator approved earlier."""


class Journal(Protocol):
    """What execution needs from :class:`claudedex.storage.journal.OrderJournal`."""

    async def record(self, order_id: str, state: str, data: dict[str, Any]) -> None: ...

    async def record_many(self, entries: Sequence[tuple[str, str, dict[str, Any]]]) -> None: ...

    async def history(self, order_id: str) -> Sequence[Any]: ...

    async def seen(self, order_id: str) -> bool: ...

    async def open_orders(self) -> Sequence[Any]: ...


class ExecutionEngine:
    def __init__(
        self, bus: EventBus, profile: Profile, w3: Any, signer: Any, journal: Journal,
        is_halted: Callable[[], bool], clock: Clock, venues: Sequence[VenueRef],
        quote_token: str, *, broadcaster: Broadcaster | None = None,
        aggregator: AggregatorClient | None = None, dry_run: bool | None = None,
        policy: FlowPolicy | None = None, deadline_s: int = 120, venue: Venue | None = None,
        route_via: Sequence[str] | None = None,
    ) -> None:
        self.bus = bus
        self.profile = profile
        self.w3 = w3
        self.signer = signer
        self.journal = journal
        self.is_halted = is_halted
        self.clock = clock
        self.venue: Venue = venue if venue is not None else ChainVenue()
        self.account = (to_checksum_address(signer.address) if self.venue.signs
                        else paper_account(signer.address))
        self.weth = to_checksum_address(quote_token)
        self.dry_run = bool(dry_run)  # quote only: journaled, then ``simulated``
        self.nonces = NonceManager(self.account, self._count)
        self.flow = TxFlow(w3, signer, self.nonces, broadcaster or PublicBroadcaster(w3),
                           FeeCaps.from_limits(profile.limits), self._record,
                           profile.chain.chain_id, policy,
                           is_halted=lambda: self.is_halted())
        self.planner = Planner(w3, venues, self.weth, self.account,
                               max_slippage_bps=profile.limits.max_slippage_bps,
                               deadline_s=deadline_s, aggregator=aggregator,
                               max_impact_bps=profile.limits.max_price_impact_bps,
                               via=profile.chain.route_via if route_via is None else route_via)
        self.finality = FinalityWatch.for_profile(w3, profile)  # the reorg watch
        self.settlement = Settlement(bus, self.finality, self.venue, self.flow, w3,
                                     self.account, self.weth, self._record)
        self.taxes: dict[str, Taxes] = {}
        self.verdicts: dict[str, Verdict] = {}  # token (lower) -> token_verdict over its pools
        self._pools: dict[str, dict[str, tuple[Verdict, int | None]]] = {}
        self.orders: dict[str, Order] = {}
        self._unjournaled: set[str] = set()  # orders whose journal failed: published anyway
        self.recovered = False
        self._tasks: asyncio.TaskGroup | None = None  # run()'s: each order's execution
        self._running: set[asyncio.Task[Order]] = set()  # those tasks, until done

    def unfinished(self) -> int:
        """Order tasks :meth:`handle` started that have not finished (one may not have
        run its first step yet: it claims its order there)."""
        return sum(1 for task in self._running if not task.done())

    async def _count(self, address: str, tag: str) -> int:
        return int(await self.w3.eth.get_transaction_count(address, tag))

    # -- journal + events -----------------------------------------------------------------

    async def _record(self, order: Order, state: S, detail: str = "") -> None:
        """Journal (durably) then publish; the in-memory state moves only if journaled."""
        check_transition(order.state, state)
        previous = (order.state, order.detail)
        order.state, order.detail = state, detail
        try:
            await self.journal.record(order.id, str(state), order.snapshot())
        except StorageError as exc:
            if order.id not in self._unjournaled:
                order.state, order.detail = previous
                raise
            # already reported unknown: the journal is failing, the chain still decides
            log.error("order.state_unjournaled", order=order.id, state=str(state),
                      error=str(exc))
        except BaseException:
            order.state, order.detail = previous
            raise
        log.info("order.state", order=order.id, state=str(state), detail=detail)
        tx_hash = order.mined_hash or (order.attempts[-1].tx_hash if order.attempts else "")
        await self.bus.publish(OrderUpdated(order_id=order.id, state=str(state),
                                            tx_hash=tx_hash, detail=detail))

    async def _record_approved(self, order: Order, proposal: TradeProposal) -> None:
        """Intent, risk- and operator-approved: three journal entries in one durable commit.

        Nothing acts on them but the next step, so they need not wait for each other's
        fsync; they are queued in order and awaited together (the journal group-commits).
        """
        steps = ((S.INTENT, ""), (S.RISK_APPROVED, f"verdict {proposal.verdict}"),
                 (S.OPERATOR_APPROVED, proposal.strategy or "operator"))
        intent = order.snapshot()  # a new order's: intent, no detail yet
        entries = [(order.id, str(S.INTENT), intent)]
        for state, detail in steps[1:]:
            check_transition(order.state, state)
            order.state, order.detail = state, detail  # nothing else moves in between
            entries.append((order.id, str(state), order.snapshot_since(intent)))
        try:
            await self.journal.record_many(entries)
        except BaseException:
            order.state, order.detail = S.INTENT, ""
            raise
        logger = log.bind()  # one logger for the three lines (each log.info binds one)
        for state, detail in steps:
            logger.info("order.state", order=order.id, state=str(state), detail=detail)
            await self.bus.publish(OrderUpdated(order_id=order.id, state=str(state),
                                                detail=detail))

    async def _record_intent(self, order: Order) -> None:
        await self.journal.record(order.id, str(S.INTENT), order.snapshot())
        await self.bus.publish(OrderUpdated(order_id=order.id, state=str(S.INTENT)))

    # -- the component --------------------------------------------------------------------

    async def run(self) -> None:
        """Recover first, then execute every approved or overridden proposal."""
        sub = self.bus.subscribe("execution", [ProposalDecided.topic, RiskAssessed.topic,
                                               EngineHaltChanged.topic], handler=self.handle)
        try:
            # Every start, a supervisor restart included: a crash of the task group below
            # cancelled the watchers of orders already sent, and only the journal knows them.
            await self.recover()
            async with asyncio.TaskGroup() as tasks:
                self._tasks = tasks
                async for event in sub:
                    await self.handle(event)
        finally:
            self._tasks = None
            sub.close()

    async def handle(self, event: Event) -> None:
        """One event from the bus, in :meth:`run`'s task group: a report's taxes and
        verdict are noted; an approved or overridden proposal is executed in a task."""
        if isinstance(event, RiskAssessed):
            rep = event.report
            self.taxes[rep.token.lower()] = Taxes.from_report(rep.buy_tax_bps, rep.sell_tax_bps)
            self.note_report(rep)
        elif isinstance(event, ProposalDecided):
            if event.decision in EXECUTE_DECISIONS and event.proposal is not None:
                if self._tasks is None:
                    raise RuntimeError("execution is not running: no task group for the order")
                task = self._tasks.create_task(self.execute(event.proposal))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
        elif isinstance(event, EngineHaltChanged) and event.halted:
            log.warning("execution.halted", queued=self.queued())

    def note_report(self, report: RiskReport) -> None:
        """Remember a pool's latest report; the token's verdict is the worst live pool's."""
        token = report.token.lower()
        pools = self._pools.setdefault(token, {})
        pools[report.pair.lower()] = (report.verdict, report.liquidity_quote)
        self.verdicts[token] = token_verdict(pools.values())

    def _sell_in_flight(self, order: Order) -> str | None:
        """The id of another sell of the same token that is not finished, if any.

        A ``confirming`` sell is not in flight: it filled and the portfolio booked it, so
        the next exit sells only what is left (a reorg moves it to ``reorged``, which is).
        """
        if order.side is not Side.SELL:
            return None
        token = order.token.lower()
        for other in self.orders.values():
            if (other.side is Side.SELL and other.kind == "swap" and other.id != order.id
                    and other.token.lower() == token and other.state not in TERMINAL
                    and other.state is not S.CONFIRMING):
                return other.id
        return None

    def queued(self) -> list[str]:
        """Orders not yet signed: a halt cancels them at their next step."""
        return [o.id for o in self.orders.values() if o.state in (
            S.INTENT, S.RISK_APPROVED, S.OPERATOR_APPROVED, S.JOURNALED)]

    async def execute(self, proposal: TradeProposal, taxes: Taxes | None = None) -> Order:
        """Execute one approved proposal to a terminal state; never raises for a bad trade."""
        order = Order.from_proposal(proposal)
        if proposal.strategy == EXIT_STRATEGY and proposal.side is Side.SELL:
            # a retried exit may widen past the entry bound; exits are sells, never buys
            order.slippage_cap_bps = self.profile.limits.max_exit_slippage_bps
            order.impact_cap_bps = self.profile.limits.max_exit_price_impact_bps
        if order.id in self.orders:
            log.warning("execution.duplicate_decision", order=order.id)
            return self.orders[order.id]
        busy = self._sell_in_flight(order)
        if busy is not None:  # one sell per position: a second would sell what the first sells
            await self._record_intent(order)
            await self._record(order, S.CANCELLED, f"a sell of this position is already in "
                               f"flight ({busy}); this one is not sent")
            return order
        self.orders[order.id] = order  # claimed before the await: a twin sees it at once
        # The route is read from the chain (no side effect) while the journal is consulted
        # and written: planning overlaps the duplicate check and the approval entries.
        plan = await self._begin(self.planner.plan(
            order, taxes or self.taxes.get(order.token.lower()) or Taxes()))
        try:
            try:
                seen = await self.journal.seen(order.id)
            except BaseException:
                self.orders.pop(order.id, None)
                raise
            if seen:
                self.orders.pop(order.id, None)
                log.warning("execution.duplicate_decision", order=order.id)
                return order
            try:
                await self._record_approved(order, proposal)
                await self._execute(order, plan, proposal.verdict)
            except EngineHalted as exc:
                await self._abandon(order, S.CANCELLED, str(exc))
            except (*ORDER_ERRORS, client_error(), web3_exception()) as exc:
                await self._abandon(order, S.FAILED, f"{type(exc).__name__}: {exc}"[:500])
            except StorageError as exc:
                await self._journal_failed(order, exc)
            finally:
                if order.state in (S.FILLED, S.FAILED, S.CANCELLED, S.SIMULATED):
                    self.orders.pop(order.id, None)
            return order
        finally:
            if not plan.done():
                plan.cancel()
                await asyncio.gather(plan, return_exceptions=True)
            elif not plan.cancelled():
                plan.exception()  # retrieved: never an unretrieved error

    async def _journal_failed(self, order: Order, exc: StorageError) -> None:
        """The journal refused a write: say exactly what that means for this order.

        Before ``signed`` nothing was sent (a signature whose row failed was discarded and
        its nonce given back): the order failed. At or after ``signed`` the raw transaction
        is journaled and may be, or become, on chain: the order is ``unknown`` and is
        watched by hash and nonce until it lands or is replaced, its later states published
        even if the journal still fails (recovery reads the journaled raw after a restart).
        """
        await self.bus.publish(AlertRaised(
            level="error", source="execution",
            message=f"JOURNAL WRITE FAILED for {order.id}: {exc}"))
        if order.state not in ON_CHAIN_POSSIBLE and order.state is not S.CONFIRMING:
            detail = f"journal write failed before anything was sent: {exc}"[:500]
            self._unjournaled.add(order.id)
            try:
                await self._record(order, S.FAILED, detail)
            finally:
                self._unjournaled.discard(order.id)
            return
        self._unjournaled.add(order.id)
        await self.bus.publish(OrderUpdated(
            order_id=order.id, state="unknown", tx_hash=order.hashes[-1] if order.hashes else "",
            detail=f"journal write failed after signing ({exc}); the transaction is journaled "
                   "and watched by hash and nonce until it lands or is replaced"[:500]))
        try:
            await self.settlement.follow(order)
        finally:
            self._unjournaled.discard(order.id)

    async def _abandon(self, order: Order, state: S, detail: str) -> None:
        if order.state in ON_CHAIN_POSSIBLE or order.state is S.CONFIRMING:
            # A transaction may exist: never mark it failed blindly; watch it instead.
            log.error("execution.error_after_sign", order=order.id, error=detail)
            await self.settlement.follow(order)
            return
        if order.state not in TERMINAL:
            await self._record(order, state, detail)

    def _check_verdict(self, order: Order, accepted: Verdict) -> None:
        """Safety may re-assess a token after the approval (a rug warning in the mempool, the
        settled re-check): a scam is never bought, and a buy approved as anything but risky
        never becomes a risky buy without the operator's typed override."""
        latest = self.verdicts.get(order.token.lower())
        if order.side is not Side.BUY or latest is None:
            return
        if latest is Verdict.SCAM or (latest is Verdict.RISKY and accepted is not Verdict.RISKY):
            raise VerdictChanged(f"token re-assessed as {latest} after the {accepted} approval")

    def _precheck(self, order: Order, accepted: Verdict) -> None:
        """Before signing: raises if the engine is halted or the verdict changed."""
        if self.is_halted():
            raise EngineHalted("engine halted before signing")
        self._check_verdict(order, accepted)

    async def _execute(self, order: Order, plan: Awaitable[Any], accepted: Verdict) -> None:
        self._precheck(order, accepted)
        await plan  # the route, min-out and deadline, read from fresh reserves
        ctx = VenueContext(self.w3, self.account, self.weth, self._record,
                           partial(self._precheck, order, accepted), self.flow,
                           self._record_intent, self.settlement.confirms_reverts())
        prepared = None if self.dry_run else await self._begin(self.venue.prepare(order, ctx))
        try:
            await self._record(order, S.JOURNALED, f"{order.venue}: min out "
                               f"{order.amount_out_min}, deadline {order.deadline}, "
                               f"price impact {order.price_impact_bps} bps")
        except BaseException:
            if prepared is not None:
                prepared.cancel()
            raise
        if prepared is None:
            await self._record(order, S.SIMULATED, f"dry run: expected {order.expected_out}")
            return
        await self.settlement.filled(order, await self.venue.fill(order, ctx, await prepared))

    async def _begin(self, step: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        """``step`` (a read for the order: its route, the venue's preparation) started to
        overlap the journal's writes; its outcome is awaited where it is needed.

        In a replay (the planner reads the venue's recorded reserves) there is no I/O to
        overlap: it runs now and its outcome, result or exception alike, waits in a done
        future for the same await, so the order sees it at the same step as live.
        """
        if self.planner.reserves is None:
            return asyncio.ensure_future(step)
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        try:
            done.set_result(await step)
        except Exception as exc:  # noqa: BLE001 - handed on to whoever awaits the step
            done.set_exception(exc)
        return done

    # -- crash recovery -------------------------------------------------------------------

    async def recover(self) -> list[Order]:
        """Reconcile the journal with the chain before trading (see
        :func:`claudedex.execution.recovery.recover`)."""
        return await recover(self)

    async def resume_order(self, order: Order) -> Order:
        """Follow one journaled order that may be on chain (or is confirming) to the end."""
        self.orders[order.id] = order
        try:
            await self.settlement.follow(order)
        finally:
            self.orders.pop(order.id, None)
        return order
