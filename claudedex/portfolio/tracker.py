"""PortfolioTracker: the engine component for positions, P&L, exits and the breaker.

Fills arrive as OrderFilled, marks come from PriceTicked reserves; exits become sell
TradeProposals through the same risk manager (``strategy == "exit"``) so they follow the
normal approval path; a tripped breaker calls the engine's ``halt``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

import structlog

from claudedex.bus import EventBus
from claudedex.clock import Clock
from claudedex.config import Profile
from claudedex.domain import Side, Signal
from claudedex.events import (
    AlertRaised,
    EarlyWarningRaised,
    EngineHaltChanged,
    EquityMarked,
    Event,
    FillRolledBack,
    OrderFilled,
    OrderUpdated,
    PositionChanged,
    ProposalDecided,
    SignalEmitted,
    TradeProposed,
)
from claudedex.market.ingest import TOPICS, ingest
from claudedex.market.view import MarketView
from claudedex.portfolio.core import EXIT_RETRY_S, Portfolio
from claudedex.portfolio.exits import ExitRules
from claudedex.risk.manager import RiskManager, settings_from_profile
from claudedex.strategy.runner import starting_equity

log = structlog.get_logger(__name__)
BPS = 10_000
Halt = Callable[[str], Awaitable[None]]


class PortfolioTracker:
    """Wire with ``PortfolioTracker(bus, profile, clock, halt=engine.halt)``."""

    def __init__(
        self,
        bus: EventBus,
        profile: Profile,
        clock: Clock,
        halt: Halt | None = None,
        view: MarketView | None = None,
        starting_cash: int | None = None,
        retry_every_s: float | None = 1.0,
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.halt = halt
        # how often (wall seconds) failed exits are re-checked; None: the caller calls
        # retry_due itself (a replay, at each of its steps: deterministic, on its clock)
        self.retry_every_s = retry_every_s
        settings = settings_from_profile(profile)
        venue = profile.venues[0].name if profile.venues else "uniswap_v2"
        self.risk = RiskManager(settings, venue)
        self.view = view if view is not None else MarketView(clock)
        cash = starting_equity(profile) if starting_cash is None else starting_cash
        self.core = Portfolio(settings, ExitRules.from_params(profile.strategy.params), cash)
        self._topics = TOPICS + (OrderFilled.topic, EngineHaltChanged.topic,
                                 OrderUpdated.topic, ProposalDecided.topic,
                                 FillRolledBack.topic)
        self._exits_in_flight: dict[str, tuple[str, str]] = {}  # proposal id -> token, why
        self._alerted: dict[str, float] = {}  # token -> when the operator was last told
        self.exit_slippage_cap_bps = profile.limits.max_exit_slippage_bps
        self._sub = bus.subscribe("portfolio", self._topics, handler=self.handle)

    async def run(self) -> None:
        if self._sub.closed:
            self._sub = self.bus.subscribe("portfolio", self._topics, handler=self.handle)
        # Faces show equity from the first frame, not only after the first fill.
        marks = self.core.mark(self.view, self.clock.now())
        self.bus.publish_nowait(EquityMarked(equity_quote=marks.equity,
                                             realized_quote=marks.realized,
                                             unrealized_quote=marks.unrealized))
        try:
            async with asyncio.TaskGroup() as tasks:
                if self.retry_every_s is not None:
                    tasks.create_task(self._retry_loop(self.retry_every_s),
                                      name="portfolio-exit-retries")
                async for ev in self._sub:
                    await self.handle(ev)
        finally:
            self._sub.close()

    async def _retry_loop(self, every_s: float = 1.0) -> None:
        """Re-check the exit rules of tokens whose failed exit's backoff has elapsed: a
        drained pool may never tick again, and its stop must still be retried."""
        while True:
            await asyncio.sleep(every_s)
            await self.retry_due()

    async def retry_due(self) -> int:
        """Re-check the exit rules of every token whose failed exit's backoff has elapsed
        on the engine's clock; returns how many were re-checked."""
        checked = 0
        for token in self.core.retries.due(self.clock.now()):
            pos = self.core.book.positions.get(token)
            if pos is None or pos.amount <= 0:
                self.core.retries.cleared(token)
                continue
            await self._mark(only=token, changed=(token,))
            checked += 1
        return checked

    async def handle(self, ev: object) -> None:
        now = self.clock.now()
        if isinstance(ev, OrderFilled):
            side = Side(ev.side)
            token = ev.token.lower()  # one key per token: discovery and the view use lowercase
            pos = self.core.on_fill(
                token,
                side,
                ev.amount_in,
                ev.amount_out,
                ev.gas_cost_wei,
                now,
                self.view.token_pair.get(token, ""),
                order_id=ev.order_id,
            )
            await self._mark(only=pos.token, changed=(pos.token,))
            return
        if isinstance(ev, FillRolledBack):  # a reorg removed the fill's block
            pos = self.core.revert_fill(ev.order_id, ev.token.lower(), Side(ev.side),
                                        ev.amount_in, ev.amount_out, ev.gas_cost_wei)
            log.warning("portfolio.fill_rolled_back", order=ev.order_id, token=pos.token,
                        amount=pos.amount)
            await self._mark(only=pos.token, changed=(pos.token,))
            return
        if isinstance(ev, OrderUpdated):
            if ev.state in ("failed", "cancelled"):
                await self._exit_abandoned(ev.order_id.removeprefix("o-"),
                                           f"{ev.state}: {ev.detail}")
            elif ev.state == "filled":
                self._exits_in_flight.pop(ev.order_id.removeprefix("o-"), None)
            return
        if isinstance(ev, ProposalDecided):
            if ev.decision in ("rejected", "expired"):
                await self._exit_abandoned(ev.proposal_id, f"{ev.decision}: {ev.note}")
            return
        if isinstance(ev, EngineHaltChanged):
            if not ev.halted and self.core.breaker.tripped:
                equity = self.core.mark(self.view, now).equity
                self.core.breaker.rearm(equity)
                log.warning("breaker_rearmed", equity=equity)
            return
        if isinstance(ev, EarlyWarningRaised):
            ingest(self.view, ev)
            sig = self.core.anti_rug(ev.token, ev.kind, now)
            if sig is not None:
                await self._propose(sig)
            return
        if isinstance(ev, Event):
            pair = ingest(self.view, ev)
            if pair is not None:
                token = self.view.pair_token.get(pair, "")
                held = self.core.book.positions.get(token)
                if held is not None and held.amount > 0:
                    await self._mark(only=token, changed=(token,))

    async def _mark(self, only: str, changed: tuple[str, ...]) -> None:
        now = self.clock.now()
        marks = self.core.mark(self.view, now)
        for token in changed:
            pos = self.core.book.positions.get(token)
            if pos is None:
                continue
            self.bus.publish_nowait(
                PositionChanged(
                    token=token,
                    symbol=self.view.symbols.get(token, ""),
                    amount=pos.amount,
                    cost_quote=pos.cost_quote,
                    mark_quote=pos.last_mark if pos.amount else 0,
                    realized_quote=pos.realized_quote,
                    exit_status=self.core.retries.status(token) if pos.amount else "",
                    peak_quote=pos.peak_mark if pos.amount else 0,
                    stop_loss=self.core.rules.stop_loss_pct,
                    take_profit=self.core.rules.take_profit[0][0]
                    if self.core.rules.take_profit
                    else None,
                )
            )
        self.bus.publish_nowait(
            EquityMarked(
                equity_quote=marks.equity,
                realized_quote=marks.realized,
                unrealized_quote=marks.unrealized,
            )
        )
        if marks.halt_reason and self.halt is not None:
            log.warning("breaker_tripped", reason=marks.halt_reason)
            await self.halt(marks.halt_reason)
        for sig in self.core.exits(self.view, now, only=only):
            await self._propose(sig)

    async def _propose(self, sig: Signal) -> None:
        self.bus.publish_nowait(SignalEmitted(signal=sig))
        result = self.risk.assess(sig, self.view, self.clock)
        if result.proposal is None:
            log.warning("exit_not_proposed", token=sig.token, why=result.dropped)
            await self._exit_failed(sig.token, sig.reason, f"not sent: {result.dropped}")
            return
        proposal = result.proposal
        widened = self.core.retries.slippage_bps(sig.token, proposal.slippage_bps,
                                                 self.exit_slippage_cap_bps)
        if widened > proposal.slippage_bps:  # a retry: a wider bound than the one that failed
            proposal = replace(proposal, slippage_bps=widened, min_amount_out=(
                proposal.min_amount_out * (BPS - widened) // (BPS - proposal.slippage_bps)))
        self._exits_in_flight[proposal.id] = (sig.token, sig.reason)
        await self.bus.publish(TradeProposed(proposal=proposal))

    async def _exit_failed(self, token: str, reason: str, why: str) -> None:
        """Back off, keep the reason on the position (buys of it wait), tell the operator."""
        now = self.clock.now()
        self.core.exit_failed(token, reason, now, why)
        await self._mark(only="", changed=(token,))  # the position row shows the status
        if now - self._alerted.get(token, -1e18) >= EXIT_RETRY_S:
            self._alerted[token] = now
            symbol = self.view.symbols.get(token, "") or token
            await self.bus.publish(AlertRaised(
                level="error", source="portfolio",
                message=f"EXIT FAILED for {symbol}: {reason}; {why}; retrying"))

    async def _exit_abandoned(self, proposal_id: str, why: str) -> None:
        """An exit that will not fill: its rule fires again after a backoff (a take-profit
        rung too), with a wider slippage bound, and the operator is told."""
        entry = self._exits_in_flight.pop(proposal_id, None)
        if entry is not None:
            await self._exit_failed(entry[0], entry[1], why)
