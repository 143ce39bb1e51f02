"""The engine facade: one object every face drives (TUI, CLI, tests, backtest).

Why a facade: faces must stay thin and interchangeable. They send the commands below and
read :meth:`Engine.events`; everything else (discovery, safety, strategy, execution) runs as
the kernel's components, built from the profile by :mod:`claudedex.builder`. The same
commands arrive from other processes over the control channel (:mod:`claudedex.control`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from claudedex.approvals import ApprovalQueue
from claudedex.bus import ALL, EventBus, Subscription
from claudedex.clock import Clock, WallClock
from claudedex.config import Profile
from claudedex.control.channel import socket_path
from claudedex.control.commands import serve_command
from claudedex.control.lock import ProfileLock
from claudedex.domain import TradeProposal
from claudedex.errors import ClaudeDexError, UserInputError
from claudedex.events import AlertRaised, BlockSeen, EngineHaltChanged, OrderFilled
from claudedex.halt import HaltState, HaltSwitch
from claudedex.heap import freeze_startup_heap
from claudedex.kernel import BuildOptions, Kernel, KernelBase, Resources
from claudedex.paths import data_dir as default_data_dir
from claudedex.supervisor import Supervisor

if TYPE_CHECKING:
    from claudedex.trade_request import TradeRequest, TradeResult

log = structlog.get_logger(__name__)


DRAINED = ("storage", "history", "portfolio")  # subscribers whose backlog is worth a wait


class EngineNotRunning(ClaudeDexError):
    """A command that needs the kernel reached an engine that is not started."""


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
    """Builds the kernel from a profile, supervises it, and takes operator commands.

    ``wire=False`` builds no components (console tests drive the bus directly);
    ``options`` chooses how much of the kernel runs (see :class:`BuildOptions`);
    ``serve_control=False`` skips the control socket (tests that run several engines).
    ``serve_api=False`` skips the control API even when the profile enables it (a one-shot
    command's engine).
    """

    def __init__(self, profile: Profile, *, data_dir: Path | None = None,
                 clock: Clock | None = None, wire: bool = True,
                 options: BuildOptions | None = None, serve_control: bool = True,
                 serve_api: bool = True) -> None:
        self.profile = profile
        self.data_dir = data_dir if data_dir is not None else default_data_dir(profile.name)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.clock: Clock = clock if clock is not None else WallClock()
        self.bus = EventBus()
        options = options if options is not None else BuildOptions()
        # a replay's data dir is its own scratch dir: no `claudedex halt` can reach it
        self.halt_switch = HaltSwitch(self.data_dir / "halt.json",
                                      watched=options.replay is None)
        self.supervisor = Supervisor(self.bus)
        self.approvals = ApprovalQueue(self.bus, profile.approvals, self.clock,
                                       self.halt_switch.is_halted,
                                       expire_every_s=None if options.replay is not None else 1.0)
        self.base = KernelBase(profile, self.data_dir, self.clock, self.bus, self.halt_switch,
                               self.supervisor, self.approvals)
        self.kernel: Kernel | None = None
        self.signer_kind: str = profile.signer.kind
        self._wire = wire
        self._options = options
        self._serve_control = serve_control and wire
        self._serve_api = serve_api and self._serve_control  # and the profile enables it
        self._resources = Resources()
        self._lock = ProfileLock(self.data_dir)
        self._runner: asyncio.Task[None] | None = None
        self._control_server: Any = None
        self.api: Any = None  # the control API's server (claudedex.api) when enabled
        self._block = 0

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self, progress: Callable[[str], None] | None = None) -> None:
        """Take the profile's writer lock, build the kernel, start every component.

        ``progress`` is told each start-up stage (devnet, storage, discovery …) as it
        begins. Raises :class:`~claudedex.control.lock.ProfileBusy` when another process
        holds the profile, and whatever the build raises (after closing what it opened).
        """
        if self._runner is not None:
            return
        if progress is not None:
            self._options = dataclasses.replace(self._options, progress=progress)
        self.supervisor.add("approvals", self.approvals.run)
        self.supervisor.add("block-clock", self._track_blocks)
        if self._options.replay is None:  # a replay's halt file is its own (see __init__)
            self.supervisor.add("halt-watch", self._watch_halt_file)
        if self._wire:
            try:
                self._lock.acquire()  # one writer per profile: nonces, journal, recovery
                self._resources.add_closer(self._release_lock)
                from claudedex.builder import build_kernel

                self.kernel = await build_kernel(self.base, self._resources, self._options)
                self.profile = self.kernel.profile
                self.signer_kind = self.kernel.signer_kind
            except BaseException:
                await self.stop()  # close what was opened (the devnet it started, the db)
                raise
        if self._wire:  # no 100 ms collector pause in the middle of an order; a replay's
            # process ends with its run: what start-up left unreachable may stay (0.1 s)
            freeze_startup_heap(collect=self._options.replay is None)
        self._runner = asyncio.create_task(self.supervisor.run(), name="engine-supervisor")
        await self.supervisor.wait_running()  # subscribers attach before the first publish
        for hook in self._resources.after_start:
            await hook()
        if self._serve_control:  # only now: a command's events must find every listener
            from claudedex.control.server import ControlServer

            server = ControlServer(socket_path(self.data_dir), self._control)
            try:
                await server.start()
            except BaseException:
                await self.stop()
                raise
            self._control_server = server
        if self._serve_api and self.kernel is not None and self.profile.api.enabled:
            await self._start_api()
        if self.halt_switch.is_halted():
            state = self.halt_switch.state
            await self.bus.publish(EngineHaltChanged(halted=True, reason=state.reason,
                                                     by=state.by))
        log.info("engine_started", profile=self.profile.name, mode=self.profile.mode,
                 halted=self.halt_switch.is_halted())

    async def _start_api(self) -> None:
        """The control API (profile ``[api]``): the same commands over HTTP, with tokens."""
        from claudedex.api.server import ApiServer

        assert self.kernel is not None
        api = ApiServer(self, self.profile.api, profile_name=self.profile.name,
                        data_dir=self.data_dir, audit=self.kernel.audit.append)
        try:
            await api.start()
        except BaseException:
            await self.stop()
            raise
        self.api = api

    async def _release_lock(self) -> None:
        self._lock.release()

    async def stop(self) -> None:
        """Stop components, then close what the build opened (the lock last)."""
        api, self.api = self.api, None
        if api is not None:
            await api.close()
        server, self._control_server = self._control_server, None
        if server is not None:  # stop taking commands; finish those already taken
            await server.close()
        runner, self._runner = self._runner, None
        if runner is not None:
            await self._drain()
            runner.cancel()
            try:
                await runner
            except asyncio.CancelledError:
                pass
        await self._resources.close()
        log.info("engine_stopped", profile=self.profile.name)

    async def _drain(self, timeout_s: float = 5.0) -> None:
        """Let the storage recorder write what was published (a last fill) before stop."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            stats = self.bus.stats()
            if all(stats.get(name, {}).get("pending", 0) == 0 for name in DRAINED):
                return
            await asyncio.sleep(0.02)
        log.warning("engine_stop_undrained", stats=self.bus.stats())

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

    async def _control(self, cmd: str, args: dict[str, Any],
                       progress: Callable[[str], None]) -> Any:
        """The control channel's requests, mapped onto the command API below."""
        return await serve_command(self, cmd, args, progress)

    # -- the command API every face uses -----------------------------------------------

    def events(self, topics: Iterable[str] = (ALL,), name: str = "face") -> Subscription:
        """A subscription to engine events; close it when the face goes away."""
        return self.bus.subscribe(name, topics)

    def is_halted(self) -> bool:
        return self.halt_switch.is_halted()

    def pending_proposals(self) -> list[TradeProposal]:
        return self.approvals.pending()

    async def wallet_balance(self) -> tuple[str, int] | None:
        """The signer's address and native balance (wei) read from the chain now; None when
        no kernel runs or the signer has no address. Raises what the RPC raises."""
        if self.kernel is None:
            return None
        address = str(getattr(self.kernel.signer, "address", "") or "")
        if not address:
            return None
        return address, int(await self.kernel.w3.eth.get_balance(address))

    async def past_fills(self) -> list[OrderFilled]:
        """Every stored fill of this profile's database, oldest first (a console restores
        its trade history from them after a restart); empty without a kernel."""
        if self.kernel is None:
            return []
        from claudedex.storage.repo_trading import TradingRepo

        return await TradingRepo(self.kernel.database()).list_fills()

    async def trade(self, request: TradeRequest,
                    progress: Callable[[str], None] | None = None) -> TradeResult:
        """A manual buy or sell through the kernel's gate (see :mod:`claudedex.manual`)."""
        if self.kernel is None:
            raise EngineNotRunning("the engine is not running: no kernel to trade through")
        return await self.kernel.trades.trade(request, progress)

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
