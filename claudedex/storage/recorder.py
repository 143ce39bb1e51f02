"""The storage recorder: persists what the engine publishes on the bus.

Why a bus subscriber: components stay free of storage calls for facts they only announce
(pairs, reports, scores, signals, proposals, decisions, fills, positions, halts); the order
journal is the exception, written by execution *before* a transaction is sent. Decisions
and halts also go to the hash-chained audit log, which the builder hands in (``audit``):
storage sits below security (``claudedex.security.audit`` stores its chain through storage),
so storage never imports it; see the import-linter contracts in pyproject.toml.
"""

from __future__ import annotations

from typing import Any, Protocol

import structlog
from sqlalchemy.exc import SQLAlchemyError

from claudedex.bus import EventBus
from claudedex.errors import StorageError
from claudedex.events import (
    EngineHaltChanged,
    Event,
    FillRolledBack,
    OrderFilled,
    PairDiscovered,
    PositionChanged,
    ProposalDecided,
    RiskAssessed,
    SignalEmitted,
    TokenScored,
    TradeProposed,
)
from claudedex.halt import HaltState
from claudedex.storage.database import Database
from claudedex.storage.repo_market import MarketRepo
from claudedex.storage.repo_trading import PROPOSAL_STATUSES, TradingRepo
from claudedex.storage.state import PEAKS_KEY, EngineStateRepo

log = structlog.get_logger(__name__)

TOPICS = (
    PairDiscovered.topic, RiskAssessed.topic, TokenScored.topic, SignalEmitted.topic,
    TradeProposed.topic, ProposalDecided.topic, OrderFilled.topic, PositionChanged.topic,
    EngineHaltChanged.topic, FillRolledBack.topic,
)


class AuditSink(Protocol):
    """Where decisions and halts are audited (``claudedex.security.audit.AuditLog``)."""

    async def append(self, actor: str, action: str, detail: dict[str, Any]) -> object:
        """Append one committed entry."""
        ...


class StorageRecorder:
    """Subscribe once, write each event; a failed write is logged and the next one tried."""

    def __init__(self, bus: EventBus, database: Database, audit: AuditSink) -> None:
        self._bus = bus
        self._market = MarketRepo(database)
        self._trading = TradingRepo(database)
        self._state = EngineStateRepo(database)
        self._peaks: dict[str, str] | None = None  # token -> trailing peak (wei, as text)
        self._audit = audit
        self.written = 0
        self.failed = 0

    async def run(self) -> None:
        """Persist events until cancelled."""
        sub = self._bus.subscribe("storage", TOPICS)
        try:
            async for event in sub:
                try:
                    await self.handle(event)
                except (StorageError, SQLAlchemyError, OSError, ValueError) as exc:
                    self.failed += 1
                    log.error("storage.write_failed", topic=event.topic, error=str(exc))
                else:
                    self.written += 1
        finally:
            sub.close()

    async def handle(self, event: Event) -> None:
        """Write one event (public so tests and replays can drive it directly)."""
        if isinstance(event, PairDiscovered):
            await self._market.save_pair(event.pair, source=event.source)
        elif isinstance(event, RiskAssessed):
            await self._market.save_risk_report(event.report)
        elif isinstance(event, TokenScored):
            await self._market.save_score(event.score)
        elif isinstance(event, SignalEmitted):
            await self._market.save_signal(event.signal)
        elif isinstance(event, TradeProposed):
            await self._trading.save_proposal(event.proposal)
        elif isinstance(event, ProposalDecided):
            await self._decided(event)
        elif isinstance(event, OrderFilled):
            await self._trading.save_fill(event)
        elif isinstance(event, FillRolledBack):  # a reorg removed it: no longer history
            await self._trading.remove_fill(event.order_id, event.tx_hash)
        elif isinstance(event, PositionChanged):
            await self._trading.upsert_position(event)
            await self._peak(event)
        elif isinstance(event, EngineHaltChanged):
            await self._state.mirror_halt(HaltState(event.halted, event.reason, event.by,
                                                    event.ts))
            await self._audit.append(event.by, "halt" if event.halted else "resume",
                                     {"reason": event.reason})

    async def _peak(self, event: PositionChanged) -> None:
        """Keep each open position's trailing-stop peak (restore.py reads it back), so a
        restart does not forget how far the price had risen."""
        peaks = self._peaks
        if peaks is None:
            stored = await self._state.get(PEAKS_KEY, {})
            peaks = self._peaks = dict(stored) if isinstance(stored, dict) else {}
        token = event.token.lower()
        before = peaks.get(token)
        if event.amount > 0 and event.peak_quote > 0:
            peaks[token] = str(event.peak_quote)
        else:
            peaks.pop(token, None)
        if peaks.get(token) != before:
            await self._state.set(PEAKS_KEY, peaks)

    async def _decided(self, event: ProposalDecided) -> None:
        if event.proposal is not None:
            await self._trading.save_proposal(event.proposal)  # no-op if already stored
        if event.decision in PROPOSAL_STATUSES:
            await self._trading.update_proposal_status(event.proposal_id, event.decision,
                                                       by=event.by, note=event.note)
        await self._audit.append(event.by, f"proposal.{event.decision}",
                                 {"proposal_id": event.proposal_id, "note": event.note})
