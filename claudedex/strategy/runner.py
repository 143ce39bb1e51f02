"""StrategyRunner: the engine component that turns market events into TradeProposed.

It owns a MarketView fed from the bus, runs the configured strategy through the shared
Decider, and publishes every proposal on the never-drop ``trade.proposal`` topic.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import structlog

from claudedex.bus import EventBus
from claudedex.clock import Clock
from claudedex.config import Profile
from claudedex.domain import Side, Signal, TradeProposal
from claudedex.events import (
    Event,
    OrderFilled,
    OrderUpdated,
    ProposalDecided,
    SignalDecided,
    SignalEmitted,
    TradeProposed,
)
from claudedex.market.ingest import PORTFOLIO_TOPICS, TOPICS
from claudedex.market.view import MarketView
from claudedex.risk.context import WEI
from claudedex.risk.manager import Assessment, RiskManager, settings_from_profile
from claudedex.strategy.decider import Decider
from claudedex.strategy.registry import build_strategy

log = structlog.get_logger(__name__)
FLIGHT_EVENTS = (TradeProposed, ProposalDecided, OrderFilled, OrderUpdated)
FLIGHT_TOPICS = tuple(cls.topic for cls in FLIGHT_EVENTS)


def starting_equity(profile: Profile) -> int:
    """Equity assumed before the portfolio's first mark: ``strategy.params.equity_quote``."""
    return int(Decimal(str(profile.strategy.params.get("equity_quote", "1"))) * WEI)


def build_decider(
    profile: Profile,
    clock: Clock,
    view: MarketView,
    strategy_file: Path | None = None,
    risk: RiskManager | None = None,
) -> Decider:
    params = profile.strategy.params
    strategy = build_strategy(profile.strategy.name, params, strategy_file)
    venue = profile.venues[0].name if profile.venues else "uniswap_v2"
    risk = risk or RiskManager(settings_from_profile(profile), venue)
    equity = starting_equity(profile)
    snap = view.portfolio
    if snap.equity_quote == 0:
        snap.equity_quote = snap.cash_quote = snap.peak_equity_quote = equity
    return Decider(strategy, risk, view, clock, float(params.get("cooldown_s", 60)))


class StrategyRunner:
    """Wire with ``StrategyRunner(bus, profile, clock, view)``; run with ``await run()``."""

    def __init__(
        self,
        bus: EventBus,
        profile: Profile,
        clock: Clock,
        view: MarketView | None = None,
        strategy_file: Path | None = None,
    ) -> None:
        self.bus = bus
        self.profile = profile
        self.view = (
            view
            if view is not None
            else MarketView(clock, float(profile.strategy.params.get("candle_interval_s", 60)))
        )
        # A buy is proposed only for a judged token: after a restart, held and known pairs
        # tick before safety has re-judged them, and "no report" must not read as "safe".
        settings = dataclasses.replace(settings_from_profile(profile), require_report=True)
        venue = profile.venues[0].name if profile.venues else "uniswap_v2"
        self.decider = build_decider(profile, clock, self.view, strategy_file,
                                     RiskManager(settings, venue))
        self.processed = 0
        self.proposed = 0
        self.dropped: list[Assessment] = []
        self._in_flight: dict[str, tuple[str, int]] = {}  # proposal id -> (token, quote wei)
        self._sub = bus.subscribe("strategy", self._topics(), handler=self.handle)
        self._cooling: set[tuple[str, str]] = set()  # (token, side) reported as cooling
        self.decider.on_cooldown = self._cooled
        self.decider.on_proposal = self.commit  # in flight from the moment it is judged

    @staticmethod
    def _topics() -> tuple[str, ...]:
        return TOPICS + PORTFOLIO_TOPICS + FLIGHT_TOPICS

    async def run(self) -> None:
        if self._sub.closed:  # restarted by the supervisor after a crash
            self._sub = self.bus.subscribe("strategy", self._topics(), handler=self.handle)
        try:
            async for ev in self._sub:
                await self.handle(ev)
        finally:
            self._sub.close()

    async def handle(self, ev: Event) -> None:
        """One event, as :meth:`run` takes it from the bus (a backtest driver may hand a
        tick here directly while this runner is parked on its mailbox)."""
        if self._track_flight(ev):
            return
        for result in self.decider.on_event(ev):
            await self._emit(result)
        self.processed += 1

    async def drain(self) -> None:
        """Handle what already waits in the mailbox, in the caller's task (the backtest's
        fast path, with this runner parked on its mailbox)."""
        while (ev := self._sub.get_nowait()) is not None:
            await self.handle(ev)

    def waiting(self) -> int:
        """Events in this runner's mailbox, not yet handled."""
        return self._sub.pending()

    def _track_flight(self, ev: object) -> bool:
        """Keep the view's ``committed`` buys current; True when ``ev`` was only that.

        Every buy proposal counts, whoever made it (this strategy, the trade command, the
        control API), until it is rejected, expired, filled, failed or cancelled.
        """
        if not isinstance(ev, FLIGHT_EVENTS):  # ticks and marks, mostly: one check
            return False
        if isinstance(ev, TradeProposed):
            self.commit(ev.proposal)
            return True
        if isinstance(ev, ProposalDecided):
            if ev.decision in ("rejected", "expired"):
                self._release(ev.proposal_id)
            return True
        if isinstance(ev, OrderFilled):
            self._release(ev.order_id.removeprefix("o-"))
            return True
        if isinstance(ev, OrderUpdated):
            if ev.state in ("failed", "cancelled", "simulated"):
                self._release(ev.order_id.removeprefix("o-"))
            return True
        return False

    def release(self, proposal_id: str) -> None:
        """No longer count ``proposal_id``'s buy in flight (it was never proposed after all:
        a manual trade refused or only quoted after its limits were judged)."""
        self._release(proposal_id)

    def _release(self, proposal_id: str) -> None:
        entry = self._in_flight.pop(proposal_id, None)
        if entry is None:
            return
        token, value = entry
        committed = self.view.portfolio.committed
        left = committed.get(token, 0) - value
        if left > 0:
            committed[token] = left
        else:
            committed.pop(token, None)

    def _cooled(self, signal: Signal) -> None:
        """A signal the cooldown held back: told once per token and side until the next
        proposal (a strategy repeats its signal on every tick)."""
        key = (signal.token, signal.side.value)
        if key in self._cooling:
            return
        self._cooling.add(key)
        self.bus.publish_nowait(SignalDecided(
            token=signal.token, side=signal.side.value, strategy=signal.strategy,
            outcome="cooldown", symbol=self.view.symbols.get(signal.token, ""),
            reason=f"a proposal for this token was made less than "
                   f"{self.decider.cooldown_s:g} s ago"))

    async def _emit(self, result: Assessment) -> None:
        self.bus.publish_nowait(SignalEmitted(signal=result.signal))
        signal = result.signal
        proposal_id = result.proposal.id if result.proposal is not None else ""
        self.bus.publish_nowait(SignalDecided(
            token=signal.token, side=signal.side.value, strategy=signal.strategy,
            outcome="proposed" if proposal_id else "dropped", reason=result.dropped,
            proposal_id=proposal_id, size_by=result.size_by,
            symbol=self.view.symbols.get(signal.token, "")))
        if result.proposal is None:
            self.dropped.append(result)
            del self.dropped[:-100]
            log.info("signal_dropped", token=result.signal.token, why=result.dropped)
            return
        self._cooling.discard((signal.token, signal.side.value))
        self.proposed += 1
        proposal = result.proposal
        self.commit(proposal)
        await self.bus.publish(TradeProposed(proposal=proposal))

    def commit(self, proposal: TradeProposal) -> None:
        """Count a buy against cash, exposure and open-position limits (idempotent)."""
        if proposal.side is not Side.BUY or proposal.id in self._in_flight:
            return
        self._in_flight[proposal.id] = (proposal.token, proposal.amount_in)
        committed = self.view.portfolio.committed
        committed[proposal.token] = committed.get(proposal.token, 0) + proposal.amount_in
