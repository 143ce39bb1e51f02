"""Builds the engine's components from its profile (the one place that knows them all).

Why one place: each subsystem stays ignorant of the others; only here is it decided which
discovery sources, checks, strategies, venues and signer a profile runs with. Each
``_wire_*`` step adds supervised components and registers how to close what it opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from claudedex.config import Profile, VenueConfig

if TYPE_CHECKING:
    from claudedex.devnet.manifest import DevnetManifest
    from claudedex.engine import Engine

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
                                             "chain_id": manifest.chain_id})
    apis = profile.apis.model_copy(update={
        "dexscreener_url": profile.apis.dexscreener_url or manifest.dexscreener_url})
    signer = profile.signer.model_copy(update={
        "allowed_targets": tuple(v.router for v in venues)})
    return profile.model_copy(update={"chain": chain, "venues": venues, "apis": apis,
                                      "signer": signer})


def _storage_url(engine: Engine) -> str:
    from claudedex.storage.database import database_url_for

    profile = engine.profile
    if profile.storage.url or profile.storage.url_env:
        return database_url_for(profile)
    return f"sqlite+aiosqlite:///{engine.data_dir / 'claudedex.db'}"


async def _wire_storage(engine: Engine) -> None:
    from claudedex.security.audit import AuditLog
    from claudedex.storage.database import Database
    from claudedex.storage.journal import OrderJournal
    from claudedex.storage.recorder import StorageRecorder
    from claudedex.storage.state import EngineStateRepo

    db = Database(_storage_url(engine))
    await db.open()
    engine.add_closer(db.close)
    journal = OrderJournal(db)
    await journal.start()
    engine.add_closer(journal.close)
    await EngineStateRepo(db).mirror_halt(engine.halt_switch.state)
    engine.services.update(db=db, journal=journal, audit=AuditLog(db))
    engine.supervisor.add("storage", StorageRecorder(engine.bus, db).run)


async def _wire_devnet(engine: Engine) -> None:
    from claudedex.devnet.launcher import ensure_devnet, stop_devnet

    manifest, proc = await ensure_devnet(engine.profile, engine.data_dir)
    if proc is not None:  # a new chain: the previous run's state belongs to a dead one
        from claudedex.restore import archive_previous_chain

        archive_previous_chain(engine.data_dir)

    async def close() -> None:
        await stop_devnet(proc)

    engine.add_closer(close)
    engine.profile = apply_manifest(engine.profile, manifest)
    engine.services["devnet"] = manifest


async def _wire_strategy(engine: Engine) -> None:
    from claudedex.backtest.recorder import HistoryRecorder
    from claudedex.portfolio.tracker import PortfolioTracker
    from claudedex.strategy.runner import StrategyRunner

    runner = StrategyRunner(engine.bus, engine.profile, engine.clock)

    async def breaker_halt(reason: str) -> None:
        await engine.halt(reason, by="risk:breaker")

    tracker = PortfolioTracker(engine.bus, engine.profile, engine.clock, halt=breaker_halt)
    engine.services.update(strategy=runner, portfolio=tracker)
    from claudedex.restore import restore_portfolio

    reports = await restore_portfolio(engine.services["db"], tracker,
                                      [tracker.view, runner.view])

    async def republish() -> None:
        from claudedex.events import RiskAssessed

        for report in reports:
            await engine.bus.publish(RiskAssessed(report=report))

    engine.after_start.append(republish)
    engine.supervisor.add("strategy", runner.run)
    engine.supervisor.add("history", HistoryRecorder(engine.bus,
                                                     engine.data_dir / "history.jsonl").run)
    engine.supervisor.add("portfolio", tracker.run)


async def _wire_chain(engine: Engine) -> None:
    from claudedex.rpc import async_web3

    w3 = async_web3(engine.profile.rpc_url(), timeout_s=10)
    chain_id = await w3.eth.chain_id
    if chain_id != engine.profile.chain.chain_id:
        from claudedex.errors import ConfigError

        await w3.provider.disconnect()
        raise ConfigError(f"profile {engine.profile.name}: RPC is on chain {chain_id}, "
                          f"the profile says {engine.profile.chain.chain_id}")
    engine.services["w3"] = w3
    engine.add_closer(w3.provider.disconnect)


def _signer(engine: Engine) -> Any:
    from claudedex.wallet.factory import build_signer
    from claudedex.wallet.watch_only import WatchOnlySigner

    profile = engine.profile
    if profile.signer.kind == "none":
        return WatchOnlySigner()
    manifest = engine.services.get("devnet")
    key = manifest.accounts[0]["private_key"] if manifest and manifest.accounts else None
    return build_signer(profile, engine.data_dir, devnet_private_key=key)


def _wire_execution(engine: Engine) -> None:
    from claudedex.execution.engine import ExecutionEngine
    from claudedex.execution.routing import VenueRef
    from claudedex.wallet.factory import guard
    from claudedex.wallet.spend_store import JsonSpendStore

    profile = engine.profile
    audit_log = engine.services["audit"]

    async def audit(action: str, detail: dict[str, Any]) -> None:
        await audit_log.append("signer", action, detail)

    signer = _signer(engine)
    guarded = guard(signer, profile, engine.halt_switch.is_halted, audit,
                    spend_store=JsonSpendStore(engine.data_dir / "spend.json"))
    venues = [VenueRef(v.name, v.factory, v.router, v.fee_bps) for v in profile.venues
              if v.factory and v.router]
    execution = ExecutionEngine(
        engine.bus, profile, engine.services["w3"], guarded, engine.services["journal"],
        engine.halt_switch.is_halted, engine.clock, venues, profile.chain.quote_token,
        dry_run=True if signer.kind == "watch-only" else None)
    engine.signer_kind = signer.kind
    engine.services.update(signer=guarded, execution=execution)
    engine.supervisor.add("execution", execution.run)


def _wire_discovery_and_safety(engine: Engine) -> None:
    from claudedex.apis.http import JsonHttpClient
    from claudedex.discovery.activity import MarketActivity
    from claudedex.discovery.follower import PairFollower
    from claudedex.discovery.mempool import MempoolMonitor
    from claudedex.discovery.social import HttpPostFeed, SocialSentiment
    from claudedex.discovery.state import default_state_store
    from claudedex.domain import Finding, PairInfo
    from claudedex.safety.analyzer import SafetyAnalyzer
    from claudedex.safety.external import advisory_from_config

    profile, bus, w3 = engine.profile, engine.bus, engine.services["w3"]
    manifest = engine.services.get("devnet")
    ws_url = manifest.ws_url if manifest is not None else _env(profile.chain.ws_url_env)
    quote, chain_id = profile.chain.quote_token, profile.chain.chain_id
    follower = PairFollower(bus, w3, {v.name: v.factory for v in profile.venues if v.factory},
                            quote, chain_id, default_state_store(engine.data_dir),
                            ws_url=ws_url)
    activity = MarketActivity(bus, w3, lambda: follower.pairs)
    social: SocialSentiment | None = None
    if manifest is not None and manifest.social_url:
        social_http = JsonHttpClient(manifest.social_url, name="social")
        engine.add_closer(social_http.close)
        social = SocialSentiment(bus, HttpPostFeed(social_http))
    apis = advisory_from_config(profile.apis.goplus_url, profile.apis.honeypot_url,
                                timeout_s=float(profile.apis.timeout_s),
                                redis_url=_env(profile.storage.redis_url_env))

    def extra_findings(info: PairInfo) -> tuple[Finding, ...]:
        found = activity.findings(info.pair)
        return found + social.findings(info.token) if social is not None else found

    analyzer = SafetyAnalyzer(bus, w3, profile.venues, quote, apis, chain_id=chain_id,
                              extra_findings=extra_findings)

    def held_tokens() -> set[str]:
        portfolio = engine.services.get("portfolio")
        if portfolio is None:
            return set()
        return {t.lower() for t in portfolio.core.book.positions}

    mempool = MempoolMonitor(bus, w3, held_tokens,
                             routers=[v.router for v in profile.venues if v.router],
                             pairs=lambda: {i.pair: i.token for i in analyzer.pairs.values()},
                             ws_url=ws_url)
    engine.services.update(follower=follower, analyzer=analyzer)
    engine.supervisor.add("discovery", follower.run)
    engine.supervisor.add("safety", analyzer.run)
    engine.supervisor.add("mempool", mempool.run)
    engine.supervisor.add("activity", activity.run)
    if social is not None:
        engine.supervisor.add("social", social.run)


def _model_registry(engine: Engine) -> Path:
    """The data dir's own models; on the devnet only, the bundled devnet model as fallback.

    The bundled model was trained by ``claudedex train`` on devnet launches; it knows the
    devnet's token zoo, not mainnet, so paper and live profiles never fall back to it.
    """
    from claudedex.ml.registry import latest

    own = engine.data_dir / "models"
    if latest(own) is not None or engine.profile.mode != "devnet":
        return own
    log.info("ml_bundled_model", path=str(BUNDLED_MODELS),
             hint="`claudedex train` trains a model of your own")
    return BUNDLED_MODELS


def _wire_ml(engine: Engine) -> None:
    from claudedex.apis.http import JsonHttpClient
    from claudedex.discovery.social import HttpPostFeed
    from claudedex.ml.scorer import MLScorer
    from claudedex.ml.social import FeedSocial

    manifest = engine.services.get("devnet")
    social = None
    if manifest is not None and manifest.social_url:
        http = JsonHttpClient(manifest.social_url, name="ml-social")
        engine.add_closer(http.close)
        social = FeedSocial(HttpPostFeed(http))
    scorer = MLScorer(engine.bus, _model_registry(engine), engine.services["w3"],
                      quote=engine.profile.chain.quote_token, social=social)
    engine.services["ml"] = scorer
    engine.supervisor.add("ml", scorer.run)


def _env(name: str) -> str:
    import os

    return os.environ.get(name, "") if name else ""


def _wire_metrics(engine: Engine) -> None:
    from claudedex.observability.metrics import EngineMetrics, MetricsExporter

    cfg = engine.profile.observability
    exporter = MetricsExporter(engine.bus, EngineMetrics(), port=cfg.metrics_port,
                               host=cfg.metrics_host)

    async def close() -> None:
        exporter.close()

    engine.add_closer(close)
    engine.services["metrics"] = exporter.metrics
    engine.supervisor.add("metrics", exporter.run)


async def wire_components(engine: Engine) -> None:
    """Add the profile's components to the engine's supervisor."""
    _wire_metrics(engine)
    if engine.profile.mode == "devnet":
        await _wire_devnet(engine)
    await _wire_storage(engine)
    await _wire_chain(engine)
    await _wire_strategy(engine)
    _wire_discovery_and_safety(engine)
    _wire_ml(engine)
    _wire_execution(engine)
    log.info("engine_wired", profile=engine.profile.name, mode=engine.profile.mode,
             components=sorted(engine.supervisor.children))


__all__ = ["apply_manifest", "wire_components"]
