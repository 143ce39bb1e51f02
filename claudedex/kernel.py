"""The kernel: the typed set of components that every face and every mode drives.

Why one kernel: the guarantees (judge before buying, risk limits with in-flight accounting,
the operator's approval, the signer's caps, the journal, the audit trail) hold only if no
path has a pipeline of its own. The console, ``claudedex trade``, the control channel, paper
and the backtest therefore all run the components below, built once by
:func:`claudedex.builder.build_kernel`; a mode differs only in its :class:`Venue` and its
clock (the shape of nautilus_trader's ``NautilusKernel``).

:class:`KernelBase` is what exists before anything is opened (bus, clock, halt switch,
supervisor, approval queue): faces subscribe to it before start. :class:`Kernel` adds what
the builder opened. :class:`Resources` collects how to close it, in reverse order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from claudedex.approvals import ApprovalQueue
from claudedex.bus import EventBus
from claudedex.clock import Clock
from claudedex.config import Profile
from claudedex.halt import HaltSwitch
from claudedex.supervisor import Supervisor

if TYPE_CHECKING:
    from claudedex.devnet.manifest import DevnetManifest
    from claudedex.execution.engine import ExecutionEngine
    from claudedex.execution.venue import Venue
    from claudedex.manual import ManualTrades
    from claudedex.portfolio.tracker import PortfolioTracker
    from claudedex.risk.manager import RiskManager
    from claudedex.safety.analyzer import SafetyAnalyzer
    from claudedex.security.audit import AuditLog
    from claudedex.storage.database import Database
    from claudedex.storage.journal import OrderJournal
    from claudedex.strategy.runner import StrategyRunner
    from claudedex.wallet.guard import GuardedSigner

log = structlog.get_logger(__name__)
Closer = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class KernelBase:
    """The parts that exist before start: faces subscribe and read status from these."""

    profile: Profile
    data_dir: Path
    clock: Clock
    bus: EventBus
    halt: HaltSwitch
    supervisor: Supervisor
    approvals: ApprovalQueue


@dataclass(slots=True)
class Resources:
    """What a build opened: closers run last-in first-out; hooks run once all listen."""

    closers: list[Closer] = field(default_factory=list)
    after_start: list[Closer] = field(default_factory=list)

    def add_closer(self, closer: Closer) -> None:
        self.closers.append(closer)

    async def close(self) -> None:
        """Run every closer (newest first); one failing is logged, the rest still run."""
        while self.closers:
            closer = self.closers.pop()
            try:
                await closer()
            except Exception as exc:  # noqa: BLE001 - keep closing the rest, but say so
                log.error("close_failed", closer=repr(closer), error=repr(exc))


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How much of the kernel a process runs.

    ``feeds``: discovery, mempool, market activity, social and ML (a console or headless
    run). A one-shot ``claudedex trade`` runs without them; the gate (safety, risk,
    approvals, execution, signer, journal, audit, portfolio) is the same either way.
    ``start_devnet``: on the devnet profile, start a chain when none runs (the console);
    when False the running devnet is required.
    ``execute``: run the execution component (crash recovery, then approved orders); a
    dry run builds it only to plan quotes, so it never re-sends a journaled transaction.
    """

    feeds: bool = True
    start_devnet: bool = True
    execute: bool = True  # False (``trade --dry-run``): quote only, no recovery, nothing sent
    # A backtest: the replay's SimulatedVenue (claudedex.backtest.simvenue). No devnet, no
    # RPC (the venue's simulated chain answers), no safety run (the recorded reports are the
    # verdicts), no history recorded, no signer; every other component is the live one.
    replay: Any = None
    strategy_file: Path | None = None  # the operator's own Strategy class (a Python file)
    # told each start-up stage as it begins (the console shows it while the devnet starts)
    progress: Callable[[str], None] | None = None


class AuditTrail(Protocol):
    """Where the signer, the trade gate and the API record what they did: the database's
    keyed chain (:class:`~claudedex.security.audit.AuditLog`), or a replay's memory."""

    async def append(self, actor: str, action: str, detail: dict[str, Any]) -> object: ...


@dataclass(frozen=True, slots=True)
class Kernel:
    """Every component of one engine, typed; built by :func:`claudedex.builder.build_kernel`."""

    base: KernelBase
    profile: Profile  # as built: on the devnet, with the running chain's addresses
    db: Database | None  # None in a replay, which keeps no database (builder._replay_storage)
    journal: OrderJournal
    audit: AuditTrail
    w3: Any  # AsyncWeb3 from claudedex.rpc (cancel-safe)
    safety: SafetyAnalyzer
    strategy: StrategyRunner
    risk: RiskManager
    portfolio: PortfolioTracker
    signer: GuardedSigner
    signer_kind: str
    venue: Venue
    execution: ExecutionEngine
    trades: ManualTrades
    devnet: DevnetManifest | None = None

    @property
    def bus(self) -> EventBus:
        return self.base.bus

    def database(self) -> Database:
        """The engine's database; ClaudeDexError in a replay, which keeps none."""
        if self.db is None:
            from claudedex.errors import ClaudeDexError

            raise ClaudeDexError("a backtest replay keeps no database")
        return self.db

    def audit_log(self) -> AuditLog:
        """The database's keyed audit chain; ClaudeDexError in a replay, which keeps none."""
        from claudedex.security.audit import AuditLog

        if not isinstance(self.audit, AuditLog):
            from claudedex.errors import ClaudeDexError

            raise ClaudeDexError("a backtest replay keeps no audit chain")
        return self.audit

    @property
    def approvals(self) -> ApprovalQueue:
        return self.base.approvals


__all__ = ["BuildOptions", "Closer", "Kernel", "KernelBase", "Resources"]
