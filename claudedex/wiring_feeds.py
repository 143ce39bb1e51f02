"""The feeds a console or headless run adds to the gate: discovery, mempool, activity,
social, the ML scorer and the metrics exporter.

Why apart from the builder: the builder wires the gate every mode shares (safety, risk,
approvals, execution, signer, journal, portfolio); these are what make new pairs, warnings
and scores arrive in a running engine (``BuildOptions.feeds``), and none of them runs in a
one-shot ``claudedex trade`` or a backtest.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claudedex.builder import Build
    from claudedex.portfolio.tracker import PortfolioTracker


def _env(name: str) -> str:
    return os.environ.get(name, "") if name else ""


def wire_feeds(b: Build, w3: Any, tracker: PortfolioTracker) -> None:
    """Discovery, mempool, activity and social: what makes new pairs and warnings arrive."""
    from claudedex.apis.http import JsonHttpClient
    from claudedex.discovery.activity import MarketActivity
    from claudedex.discovery.follower import PairFollower
    from claudedex.discovery.mempool import MempoolMonitor
    from claudedex.discovery.social import HttpPostFeed, SocialSentiment
    from claudedex.discovery.state import default_state_store
    from claudedex.domain import Finding, PairInfo
    from claudedex.safety.verdict import report_controllers

    profile, bus, manifest = b.profile, b.base.bus, b.devnet
    ws_url = manifest.ws_url if manifest is not None else _env(profile.chain.ws_url_env)
    quote, chain_id = profile.chain.quote_token, profile.chain.chain_id
    follower = PairFollower(bus, w3, {v.name: v.factory for v in profile.venues if v.factory},
                            quote, chain_id, default_state_store(b.base.data_dir),
                            ws_url=ws_url, via=profile.chain.route_via)
    activity = MarketActivity(bus, w3, lambda: follower.pairs)
    social: SocialSentiment | None = None
    if manifest is not None and manifest.social_url:
        social_http = JsonHttpClient(manifest.social_url, name="social")
        b.res.add_closer(social_http.close)
        social = SocialSentiment(bus, HttpPostFeed(social_http))

    def extra_findings(info: PairInfo) -> tuple[Finding, ...]:
        found = activity.findings(info.pair)
        return found + social.findings(info.token) if social is not None else found

    b.parts["extra_findings"] = extra_findings

    def held_tokens() -> set[str]:
        return {t.lower() for t in tracker.core.book.positions}

    def known_pairs() -> dict[str, str]:
        analyzer = b.parts.get("safety")
        return {} if analyzer is None else {i.pair: i.token for i in analyzer.pairs.values()}

    def controllers(token: str) -> set[str]:
        analyzer = b.parts.get("safety")
        report = None if analyzer is None else analyzer.reports.get(token.lower())
        return set() if report is None else report_controllers(report)

    if manifest is None or b.base.profile.apis.dexscreener_url:  # devnet: only if named
        from claudedex.wiring_integrations import dexscreener_watcher

        slug = manifest.dexscreener_chain_id if manifest is not None else profile.chain.name
        watcher = dexscreener_watcher(profile, bus, w3, b.res, chain_slug=slug,
                                      followed=follower.pairs)
        if watcher is not None:
            b.supervise("dexscreener", watcher.run)
    mempool = MempoolMonitor(bus, w3, held_tokens,
                             routers=[v.router for v in profile.venues if v.router],
                             pairs=known_pairs, controllers=controllers, ws_url=ws_url)
    b.supervise("discovery", follower.run)
    b.supervise("mempool", mempool.run)
    b.supervise("activity", activity.run)
    if social is not None:
        b.supervise("social", social.run)


def wire_ml(b: Build, w3: Any) -> None:
    """The ML scorer (the devnet's social feed as one of its inputs when it has one)."""
    from claudedex.apis.http import JsonHttpClient
    from claudedex.discovery.social import HttpPostFeed
    from claudedex.ml.scorer import MLScorer
    from claudedex.ml.social import FeedSocial

    manifest = b.devnet
    social = None
    if manifest is not None and manifest.social_url:
        http = JsonHttpClient(manifest.social_url, name="ml-social")
        b.res.add_closer(http.close)
        social = FeedSocial(HttpPostFeed(http))
    from claudedex.builder import model_registry

    scorer = MLScorer(b.base.bus, model_registry(b.profile, b.base.data_dir), w3,
                      quote=b.profile.chain.quote_token, social=social)
    b.supervise("ml", scorer.run)


def wire_metrics(b: Build) -> None:
    """The Prometheus exporter of the engine's metrics (``observability.metrics_port``)."""
    from claudedex.observability.metrics import EngineMetrics, MetricsExporter

    cfg = b.profile.observability
    metrics = EngineMetrics(drawdown_limit_pct=b.profile.limits.max_drawdown_pct)
    b.parts["metrics"] = metrics  # the signer's refusals and RPC errors count here too
    exporter = MetricsExporter(b.base.bus, metrics, port=cfg.metrics_port,
                               host=cfg.metrics_host, public=cfg.metrics_public)

    async def close() -> None:
        exporter.close()

    b.res.add_closer(close)
    b.supervise("metrics", exporter.run)


__all__ = ["wire_feeds", "wire_metrics", "wire_ml"]
