"""Builds the kernel from a profile: the one place that knows every component.

Why one builder for every mode: a console run, a headless run, ``claudedex trade``, paper
and live all get the same gate (safety, risk with in-flight accounting, approvals, the
order journal, the guarded signer, the audit log, the portfolio and its exits). Only the
venue differs: :class:`~claudedex.execution.venue.ChainVenue` signs and sends (devnet,
live), :class:`~claudedex.execution.paper.PaperVenue` fills by simulating the exact swap
on the live chain and sends nothing (paper), the backtest's ``SimulatedVenue``
(``BuildOptions.replay``) fills on recorded reserves. Each step registers how to close what it
opened; this module never imports the engine facade (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from claudedex.config import Profile, VenueConfig
from claudedex.kernel import BuildOptions, Kernel, KernelBase, Resources
from claudedex.wiring_feeds import wire_feeds, wire_metrics, wire_ml

if TYPE_CHECKING:
    from claudedex.devnet.manifest import DevnetManifest
    from claudedex.portfolio.tracker import PortfolioTracker
    from claudedex.safety.analyzer import SafetyAnalyzer
    from claudedex.storage.database import Database

log = structlog.get_logger(__name__)
BUNDLED_MODELS = Path(__file__).resolve().parent / "ml" / "bundled"


def apply_manifest(profile: Profile, manifest: DevnetManifest) -> Profile:
    """The devnet profile with addresses and URLs of the devnet that is actually running."""
    fees = {v.name: v.fee_bps for v in profile.venues}
    venues = tuple(
        VenueConfig(name=name, factory=addrs["factory"], router=addrs["router"],
                    fee_bps=fees.get(name, 30))
        for name, addrs in manifest.venues.items())
    chain = profile.chain.model_copy(update={"rpc_url": manifest.rpc_url,
                                             "quote_token": manifest.weth,
                                             "chain_id": manifest.chain_id,
                                             # the devnet's stables (none named: the manifest's)
                                             "route_via": profile.chain.route_via
                                             or manifest.route_via()})
    apis = profile.apis.model_copy(update={
        "dexscreener_url": profile.apis.dexscreener_url or manifest.dexscreener_url})
    signer = profile.signer.model_copy(update={
        "allowed_targets": tuple(v.router for v in venues)})
    return profile.model_copy(update={"chain": chain, "venues": venues, "apis": apis,
                                      "signer": signer})


def storage_url(profile: Profile, data_dir: Path) -> str:
    """``storage.url``/``url_env`` when the profile names one, else SQLite in the data dir."""
    from claudedex.storage.database import database_url_for

    if profile.storage.url or profile.storage.url_env:
        return database_url_for(profile)
    return f"sqlite+aiosqlite:///{data_dir / 'claudedex.db'}"


def model_registry(profile: Profile, data_dir: Path) -> Path:
    """The data dir's own models; on the devnet only, the bundled devnet model as fallback.

    The bundled model was trained by ``claudedex train`` on devnet launches; it knows the
    devnet's token zoo, not mainnet, so paper and live profiles never fall back to it.
    """
    from claudedex.ml.registry import latest

    own = data_dir / "models"
    if latest(own) is not None or profile.mode != "devnet":
        return own
    log.info("ml_bundled_model", path=str(BUNDLED_MODELS),
             hint="`claudedex train` trains a model of your own")
    return BUNDLED_MODELS


@dataclass
class Build:
    """Scratch state while building; the kernel itself is frozen."""

    base: KernelBase
    res: Resources
    options: BuildOptions
    profile: Profile
    devnet: DevnetManifest | None = None
    parts: dict[str, Any] = field(default_factory=dict)

    def supervise(self, name: str, factory: Any) -> None:
        self.base.supervisor.add(name, factory)


async def _devnet(b: Build) -> None:
    from claudedex.devnet.launcher import ensure_devnet, running_devnet, stop_devnet
    from claudedex.errors import UserInputError

    if not b.options.start_devnet:
        manifest = running_devnet(b.base.data_dir)
        if manifest is None:
            raise UserInputError(f"no running devnet for profile {b.profile.name}: start one "
                                 "with `claudedex devnet up` or `claudedex run`")
        b.devnet, b.profile = manifest, apply_manifest(b.profile, manifest)
        return
    manifest, proc = await ensure_devnet(b.profile, b.base.data_dir)
    if proc is not None:  # a new chain: the previous run's state belongs to a dead one
        from claudedex.restore import archive_previous_chain

        archived = archive_previous_chain(b.base.data_dir)
        if archived is not None:  # say so where the operator looks, not only in the log
            from claudedex.events import AlertRaised

            async def announce() -> None:
                await b.base.bus.publish(AlertRaised(
                    level="warning", source="devnet",
                    message=f"new devnet chain: positions, orders and history of the "
                            f"previous chain were archived to {archived}"))

            b.res.after_start.append(announce)

    async def close() -> None:
        await stop_devnet(proc)

    b.res.add_closer(close)
    b.devnet, b.profile = manifest, apply_manifest(b.profile, manifest)


async def _replay_storage(b: Build) -> None:
    """A replay keeps no database: it signs nothing and restarts from its data, so the
    order journal and the audit trail are kept in memory (same entries), nothing is
    restored and nothing recorded; SQLAlchemy is not even imported (0.25 s of start-up)."""
    from claudedex.backtest.audit import MemoryAudit
    from claudedex.backtest.journal import MemoryJournal

    journal = MemoryJournal()
    await journal.start()
    b.res.add_closer(journal.close)
    b.parts.update(db=None, journal=journal, audit=MemoryAudit(), recorder=None)


async def _storage(b: Build) -> Database | None:
    if b.options.replay is not None:
        await _replay_storage(b)
        return None
    from claudedex.security.audit import AuditLog
    from claudedex.storage.database import Database
    from claudedex.storage.journal import OrderJournal
    from claudedex.storage.recorder import StorageRecorder
    from claudedex.storage.state import EngineStateRepo

    db = Database(storage_url(b.profile, b.base.data_dir))
    await db.open()
    b.res.add_closer(db.close)
    journal = OrderJournal(db)
    await journal.start()
    b.res.add_closer(journal.close)
    await EngineStateRepo(db).mirror_halt(b.base.halt.state)
    # one keyed chain per database (key and tip anchor in the data dir, outside the db):
    # the signer, the recorder and the trade gate share it
    if b.profile.secrets.audit_key_secret:  # the MAC key from the encrypted secrets store
        from claudedex.secrets.resolve import use_audit_key

        use_audit_key(b.base.data_dir, b.profile.secrets.audit_key_secret)
    audit = AuditLog(db, key_dir=b.base.data_dir)
    recorder = StorageRecorder(b.base.bus, db, audit)
    b.parts.update(db=db, journal=journal, audit=audit, recorder=recorder)
    b.supervise("storage", recorder.run)
    return db


async def _chain(b: Build) -> Any:
    from claudedex.errors import ConfigError
    from claudedex.rpc import async_web3

    w3 = async_web3(b.profile.rpc_url(), timeout_s=10)
    if (metrics := b.parts.get("metrics")) is not None:
        from claudedex.observability.rpc_errors import count_rpc_errors

        count_rpc_errors(w3, metrics.ops.rpc_error)
    try:
        chain_id = await w3.eth.chain_id
    except Exception as exc:  # noqa: BLE001 - any transport error means: node unreachable
        await w3.provider.disconnect()
        from claudedex.errors import ChainError
        from claudedex.secrets.resolve import scrub  # the URL may hold a stored credential

        raise ChainError(f"profile {b.profile.name}: RPC {scrub(b.profile.rpc_url())} "
                         f"unreachable ({type(exc).__name__})") from None
    if chain_id != b.profile.chain.chain_id:
        await w3.provider.disconnect()
        raise ConfigError(f"profile {b.profile.name}: RPC is on chain {chain_id}, "
                          f"the profile says {b.profile.chain.chain_id}")
    b.res.add_closer(w3.provider.disconnect)
    from claudedex.wiring_integrations import api_cache_for

    b.parts["cache"] = await api_cache_for(b.profile, b.res, w3, b.parts.get("metrics"))
    return w3


async def _strategy(b: Build, db: Database | None) -> tuple[Any, PortfolioTracker]:
    from claudedex.backtest.recorder import HistoryRecorder
    from claudedex.portfolio.tracker import PortfolioTracker
    from claudedex.strategy.runner import StrategyRunner

    runner = StrategyRunner(b.base.bus, b.profile, b.base.clock,
                            strategy_file=b.options.strategy_file)
    base = b.base

    async def breaker_halt(reason: str) -> None:
        state = base.halt.set(True, reason, "risk:breaker")
        from claudedex.events import EngineHaltChanged

        log.warning("engine_halted", reason=reason, by="risk:breaker")
        await base.bus.publish(EngineHaltChanged(halted=True, reason=state.reason,
                                                 by=state.by))

    tracker = PortfolioTracker(b.base.bus, b.profile, b.base.clock, halt=breaker_halt,
                               retry_every_s=None if b.options.replay is not None else 1.0)
    b.parts["stored_reports"] = []
    if db is not None:  # a replay starts from its data alone
        from claudedex.restore import restore_portfolio

        b.parts["stored_reports"] = await restore_portfolio(db, tracker,
                                                            [tracker.view, runner.view])
    b.supervise("strategy", runner.run)
    if b.options.replay is None:  # a backtest records nothing of its own replay
        b.supervise("history",
                    HistoryRecorder(b.base.bus, b.base.data_dir / "history.jsonl").run)
    b.supervise("portfolio", tracker.run)
    return runner, tracker


def _safety(b: Build, w3: Any, tracker: PortfolioTracker) -> SafetyAnalyzer:
    from claudedex.safety.analyzer import SafetyAnalyzer
    from claudedex.wiring_integrations import advisory_for

    profile = b.profile
    apis = advisory_for(profile, b.res, b.parts.get("cache"))
    extra = b.parts.get("extra_findings")
    history = None
    if b.parts["db"] is not None:  # deployers' past launches (shared with `scan`)
        from claudedex.storage.repo_deployers import DeployerRepo

        history = DeployerRepo(b.parts["db"])
    analyzer = SafetyAnalyzer(b.base.bus, w3, profile.venues, profile.chain.quote_token, apis,
                              chain_id=profile.chain.chain_id, extra_findings=extra,
                              history=history)
    if b.options.replay is None:  # a replay's verdicts are the recorded reports
        b.supervise("safety", analyzer.run)
    return analyzer


def _signer(b: Build) -> Any:
    from claudedex.wallet.factory import build_signer
    from claudedex.wallet.watch_only import WatchOnlySigner

    if b.profile.signer.kind == "none" or b.options.replay is not None:
        return WatchOnlySigner()
    manifest = b.devnet
    key = manifest.accounts[0]["private_key"] if manifest and manifest.accounts else None
    return build_signer(b.profile, b.base.data_dir, devnet_private_key=key)


async def build_kernel(base: KernelBase, res: Resources,
                       options: BuildOptions | None = None) -> Kernel:
    """Open and wire every component of one engine; closers are left in ``res``.

    Raises :class:`~claudedex.errors.ConfigError` (profile vs. chain mismatch),
    :class:`~claudedex.errors.ChainError` (RPC unreachable),
    :class:`~claudedex.errors.UserInputError` (no running devnet when one is required).
    The caller closes ``res`` when the build fails half-way.
    """
    from claudedex.execution.engine import ExecutionEngine
    from claudedex.execution.routing import VenueRef
    from claudedex.execution.valuation import ChainValuation
    from claudedex.execution.venue import ChainVenue
    from claudedex.manual import ManualTrades
    from claudedex.wallet.factory import guard
    from claudedex.wallet.spend_store import JsonSpendStore
    from claudedex.wiring_integrations import aggregator_for, broadcaster_for

    options = options if options is not None else BuildOptions()
    b = Build(base, res, options, base.profile)
    if options.feeds:
        wire_metrics(b)
    replay = options.replay
    say = options.progress or (lambda _stage: None)
    if b.profile.mode == "devnet" and replay is None:
        say("devnet: starting the chain and deploying contracts")
        await _devnet(b)
    say("storage: opening the database")
    db = await _storage(b)
    say("chain: connecting")
    w3 = replay.chain if replay is not None else await _chain(b)
    say("portfolio: restoring positions")
    runner, tracker = await _strategy(b, db)
    if options.feeds:
        say("discovery: starting feeds")
        wire_feeds(b, w3, tracker)
    analyzer = _safety(b, w3, tracker)
    b.parts["safety"] = analyzer
    if options.feeds:
        wire_ml(b, w3)
    audit_log = b.parts["audit"]

    async def audit(action: str, detail: dict[str, Any]) -> None:
        if action == "signer.refused" and "metrics" in b.parts:
            b.parts["metrics"].ops.signer_refused(str(detail.get("code", "")))
        await audit_log.append("signer", action, detail)

    raw_signer = _signer(b)
    refs = [VenueRef(v.name, v.factory, v.router, v.fee_bps) for v in b.profile.venues
            if v.factory and v.router]
    valuation = ChainValuation(w3, refs, b.profile.chain.quote_token, raw_signer.address,
                               via=b.profile.chain.route_via)
    signer = guard(raw_signer, b.profile, base.halt.is_halted, audit,
                   spend_store=JsonSpendStore(base.data_dir / "spend.json"),
                   valuer=valuation.value, balance_of=valuation.balance)
    def held_on_paper(token: str) -> int:  # a paper sell of more than this is refused
        book = tracker.core.book.positions  # the portfolio's own book: current at every fill
        return sum(p.amount for k, p in book.items() if k.lower() == token.lower())

    chain_id = b.profile.chain.chain_id

    async def authorize_on_paper(tx: dict[str, Any], account: str) -> int:
        return await signer.authorize({**tx, "chainId": chain_id}, account)

    venue: Any
    if replay is not None:
        venue = replay
    elif b.profile.mode == "paper":
        from claudedex.execution.paper import PaperVenue  # paper runs only (2 ms)

        venue = PaperVenue(w3, b.profile.chain.quote_token, held=held_on_paper,
                           authorize=authorize_on_paper)
    else:
        venue = ChainVenue()

    async def audit_execution(action: str, detail: dict[str, Any]) -> None:
        await audit_log.append("execution", action, detail)

    execution = ExecutionEngine(base.bus, b.profile, w3, signer, b.parts["journal"],
                                base.halt.is_halted, base.clock, refs,
                                b.profile.chain.quote_token, venue=venue,
                                broadcaster=broadcaster_for(b.profile, w3, res, audit_execution),
                                aggregator=aggregator_for(b.profile, res))
    if replay is not None:  # routes come from the recorded reserves the venue holds
        execution.planner.reserves = replay
    if options.execute:
        base.supervisor.add("execution", execution.run)
    trades = ManualTrades(base, b.profile, w3, analyzer, runner, execution, audit_log)
    kernel = Kernel(
        base=base, profile=b.profile, db=db, journal=b.parts["journal"], audit=audit_log,
        w3=w3, safety=analyzer, strategy=runner, risk=runner.decider.risk,
        portfolio=tracker, signer=signer, signer_kind=raw_signer.kind, venue=venue,
        execution=execution, trades=trades, devnet=b.devnet)
    stored = b.parts["stored_reports"]

    async def rejudge() -> None:
        await trades.rejudge_stored(stored)

    res.after_start.append(rejudge)
    log.info("engine_wired", profile=b.profile.name, mode=b.profile.mode,
             venue=venue.name, feeds=options.feeds,
             components=sorted(base.supervisor.children))
    return kernel


__all__ = ["apply_manifest", "build_kernel", "model_registry", "storage_url"]
