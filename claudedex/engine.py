"""The engine facade: one object every face drives (TUI, CLI, tests, backtest).

Why a facade: faces must stay thin and interchangeable. They send the commands below and
read :meth:`Engine.events`; everything else (discovery, safety, strategy, execution) runs as
supervised components wired from the profile in :mod:`claudedex.wiring`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from claudedex.approvals import ApprovalQueue
from claudedex.bus import ALL, EventBus, Subscription
from claudedex.clock import Clock, WallClock
from claudedex.config import Profile
from claudedex.domain import TradeProposal
from claudedex.errors import UserInputError
from claudedex.events import AlertRaised, BlockSeen, EngineHaltChanged
from claudedex.halt import HaltState, HaltSwitch
from claudedex.paths import data_dir as default_data_dir
from claudedex.supervisor import Supervisor

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class EngineStatus:
    profile: str
    mode: str
    chain_id: int
    running: bool
    halted: bool
    halt_reason: str
    pending_proposals: int
    block: int
    signer: str
    components: dict[str, str] = field(default_factory=dict)
    bus_dropped: int = 0


class Engine:
    """Builds components from a profile, supervises them, and takes operator commands."""

    def __init__(self, profile: Profile, *, data_dir: Path | None = None,
                 clock: Clock | None = None, wire: bool = True) -> None:
        self.profile = profile
        self.data_dir = data_dir if data_dir is not None else default_data_dir(profile.name)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.clock: Clock = clock if clock is not None else WallClock()
        self.bus = EventBus()
        self.halt_switch = HaltSwitch(self.data_dir / "halt.json")
        self.supervisor = Supervisor(self.bus)
        self.approvals = ApprovalQueue(self.bus, profile.approvals, self.clock,
                                       self.halt_switch.is_halted)
        self.services: dict[str, Any] = {}  # filled by wiring: db, web3, signer, ...
        self.signer_kind = profile.signer.kind
        self._wire = wire
        self._runner: asyncio.Task[None] | None = None
        self._block = 0
        self._closers: list[Any] = []
        self.after_start: list[Any] = []  # async callables run once every component listens

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        self.supervisor.add("approvals", self.approvals.run)
        self.supervisor.add("block-clock", self._track_blocks)
        self.supervisor.add("halt-watch", self._watch_halt_file)
        if self._wire:
            from claudedex.wiring import wire_components

            try:
                await wire_components(self)
            except BaseException:
                await self.stop()  # close what was opened (the devnet it started, the db)
                raise
        self._runner = asyncio.create_task(self.supervisor.run(), name="engine-supervisor")
        await self.supervisor.wait_running()  # subscribers attach before the first publish
        for hook in self.after_start:
            await hook()
        if self.halt_switch.is_halted():
            state = self.halt_switch.state
            await self.bus.publish(EngineHaltChanged(halted=True, reason=state.reason,
                                                     by=state.by))
        log.info("engine_started", profile=self.profile.name, mode=self.profile.mode,
                 halted=self.halt_switch.is_halted())

    def add_closer(self, closer: Any) -> None:
        """Register an async callable run at stop, in reverse order (LIFO)."""
        self._closers.append(closer)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            try:
                await runner
            except asyncio.CancelledError:
                pass
        while self._closers:
            closer = self._closers.pop()
            try:
                await closer()
            except Exception as exc:  # noqa: BLE001 - keep closing the rest, but say so
                log.error("close_failed", closer=repr(closer), error=repr(exc))
        log.info("engine_stopped", profile=self.profile.name)

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def wait(self) -> None:
        """Run until the supervisor ends (or the caller is cancelled)."""
        if self._runner is not None:
            await self._runner

    async def _track_blocks(self) -> None:
        sub = self.bus.subscribe("engine-blocks", [BlockSeen.topic])
        try:
            async for event in sub:
                if isinstance(event, BlockSeen):
                    self._block = max(self._block, event.number)
                    observe = getattr(self.clock, "observe_block", None)
                    if observe is not None:
                        observe(event.number)
        finally:
            sub.close()

    async def _watch_halt_file(self) -> None:
        """Tell the faces when another process (``claudedex halt``) flipped the switch."""
        while True:
            await asyncio.sleep(0.25)
            if self.halt_switch.refresh():
                state = self.halt_switch.state
                log.warning("halt_changed_externally", halted=state.halted, by=state.by)
                await self.bus.publish(EngineHaltChanged(halted=state.halted,
                                                         reason=state.reason or "resumed",
                                                         by=state.by or "another process"))

    # -- the command API every face uses -----------------------------------------------

    def events(self, topics: Iterable[str] = (ALL,), name: str = "face") -> Subscription:
        """A subscription to engine events; close it when the face goes away."""
        return self.bus.subscribe(name, topics)

    def is_halted(self) -> bool:
        return self.halt_switch.is_halted()

    def pending_proposals(self) -> list[TradeProposal]:
        return self.approvals.pending()

    async def approve(self, proposal_id: str, by: str = "operator") -> TradeProposal:
        return await self.approvals.approve(proposal_id, by=by)

    async def reject(self, proposal_id: str, reason: str = "", by: str = "operator") -> None:
        await self.approvals.reject(proposal_id, reason=reason, by=by)

    async def override(self, proposal_id: str, *, amount_in: int | None = None,
                       slippage_bps: int | None = None, accept_risky: bool = False,
                       confirmation: str = "", by: str = "operator") -> TradeProposal:
        return await self.approvals.override(
            proposal_id, amount_in=amount_in, slippage_bps=slippage_bps,
            accept_risky=accept_risky, confirmation=confirmation, by=by)

    async def halt(self, reason: str = "emergency stop", by: str = "operator") -> HaltState:
        """Emergency stop: persisted first (the signer refuses from this instant), then told."""
        state = self.halt_switch.set(True, reason, by)
        log.warning("engine_halted", reason=reason, by=by)
        await self.bus.publish(EngineHaltChanged(halted=True, reason=reason, by=by))
        return state

    async def resume(self, *, confirm: bool, by: str = "operator") -> HaltState:
        if not confirm:
            raise UserInputError("resume needs an explicit confirmation")
        state = self.halt_switch.set(False, "", by)
        log.warning("engine_resumed", by=by)
        await self.bus.publish(EngineHaltChanged(halted=False, reason="resumed", by=by))
        await self.bus.publish(AlertRaised(level="warning", message=f"trading resumed by {by}"))
        return state

    async def status(self) -> EngineStatus:
        halt = self.halt_switch.state
        components = {
            name: ("running" if child.running else f"down ({child.last_error})"
                   if child.last_error else "stopped")
            for name, child in self.supervisor.children.items()
        }
        dropped = sum(s["dropped"] for s in self.bus.stats().values())
        return EngineStatus(
            profile=self.profile.name, mode=self.profile.mode,
            chain_id=self.profile.chain.chain_id, running=self._runner is not None,
            halted=halt.halted, halt_reason=halt.reason,
            pending_proposals=len(self.approvals.pending()), block=self._block,
            signer=self.signer_kind, components=components, bus_dropped=dropped)
