"""Prometheus metrics fed from the bus, so every component is measured without knowing it.

Why a bus subscriber: counting in each component would scatter metric names through the
engine; here one place turns the typed events into counters and histograms. The exporter
binds to loopback unless the profile sets ``observability.metrics_public = true`` (then it
warns at start): metrics name the tokens and amounts we trade.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from claudedex.bus import ALL, EventBus
from claudedex.config import is_loopback_host
from claudedex.errors import ConfigError
from claudedex.events import (
    AlertRaised,
    BlockSeen,
    ComponentFailed,
    EngineHaltChanged,
    EquityMarked,
    Event,
    FillRolledBack,
    OrderFilled,
    OrderUpdated,
    PositionChanged,
    ProposalDecided,
    RiskAssessed,
)
from claudedex.observability.ops import OpsMetrics

log = structlog.get_logger(__name__)
WEI = 10**18


class EngineMetrics:
    """The engine's metrics in their own registry (one per engine, so tests don't collide).

    ``ops``: the alerting metrics (open orders, drawdown against ``drawdown_limit_pct``,
    refusals, RPC errors, cache hits), see :mod:`claudedex.observability.ops`.
    """

    def __init__(self, registry: CollectorRegistry | None = None, *,
                 drawdown_limit_pct: Decimal | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.ops = OpsMetrics(r, drawdown_limit_pct=drawdown_limit_pct)
        self.events = Counter("claudedex_events_total", "Bus events seen", ["topic"], registry=r)
        self.verdicts = Counter("claudedex_risk_reports_total", "Safety verdicts",
                                ["verdict"], registry=r)
        self.report_ms = Histogram("claudedex_risk_report_ms", "Time to judge a pair (ms)",
                                   buckets=(10, 25, 50, 100, 250, 500, 1000, 2500),
                                   registry=r)
        self.decisions = Counter("claudedex_proposal_decisions_total", "Proposal decisions",
                                 ["decision"], registry=r)
        self.orders = Counter("claudedex_order_transitions_total", "Order state transitions",
                              ["state"], registry=r)
        self.fills = Counter("claudedex_fills_total", "Fills", ["side"], registry=r)
        self.rollbacks = Counter("claudedex_fill_rollbacks_total",
                                 "Fills undone because a reorg removed their block", ["side"],
                                 registry=r)
        self.gas = Counter("claudedex_gas_paid_eth_total", "Gas paid (ETH, analytics only)",
                           registry=r)
        self.failures = Counter("claudedex_component_failures_total",
                                "Supervised component crashes", ["component"], registry=r)
        self.halted = Gauge("claudedex_halted", "1 while the emergency stop is on", registry=r)
        self.block = Gauge("claudedex_block", "Latest block seen", registry=r)
        self.equity = Gauge("claudedex_equity_eth", "Marked equity (ETH, analytics only)",
                            registry=r)
        self.exits_failing = Gauge("claudedex_exits_failing",
                                   "Positions whose exit failed and is being retried", registry=r)
        self.alerts = Counter("claudedex_alerts_total", "Alerts raised to the operator",
                              ["level", "source"], registry=r)
        self._failing: set[str] = set()

    def observe(self, ev: Event) -> None:
        self.events.labels(ev.topic).inc()
        self.ops.observe(ev)
        if isinstance(ev, RiskAssessed):
            self.verdicts.labels(ev.report.verdict.value).inc()
            self.report_ms.observe(ev.report.elapsed_ms)
        elif isinstance(ev, ProposalDecided):
            self.decisions.labels(ev.decision).inc()
        elif isinstance(ev, OrderUpdated):
            self.orders.labels(ev.state).inc()
        elif isinstance(ev, OrderFilled):
            self.fills.labels(ev.side).inc()
            self.gas.inc(ev.gas_cost_wei / WEI)
        elif isinstance(ev, FillRolledBack):
            self.rollbacks.labels(ev.side).inc()
        elif isinstance(ev, ComponentFailed):
            self.failures.labels(ev.component).inc()
        elif isinstance(ev, EngineHaltChanged):
            self.halted.set(1 if ev.halted else 0)
        elif isinstance(ev, BlockSeen):
            self.block.set(ev.number)
        elif isinstance(ev, EquityMarked):
            self.equity.set(ev.equity_quote / WEI)
        elif isinstance(ev, PositionChanged):
            if ev.exit_status and ev.amount > 0:
                self._failing.add(ev.token)
            else:
                self._failing.discard(ev.token)
            self.exits_failing.set(len(self._failing))
        elif isinstance(ev, AlertRaised):
            self.alerts.labels(ev.level, ev.source).inc()


class MetricsExporter:
    """Engine component: counts every bus event; serves /metrics when a port is set."""

    def __init__(self, bus: EventBus, metrics: EngineMetrics, *, port: int = 0,
                 host: str = "127.0.0.1", public: bool = False) -> None:
        if not public and not is_loopback_host(host):
            # the profile validator refuses this too; a direct caller must opt in as well
            raise ConfigError(f"metrics host {host!r} is not a loopback address: set "
                              "observability.metrics_public = true to serve metrics on it")
        self._bus = bus
        self.metrics = metrics
        self._port = port
        self._host = host
        self._public = public
        self._server: Any = None

    async def run(self) -> None:
        if self._port and self._server is None:
            self._server, _thread = start_http_server(self._port, addr=self._host,
                                                      registry=self.metrics.registry)
            url = f"http://{_url_host(self._host)}:{self._port}/metrics"
            if self._public:
                log.warning("metrics_public", url=url,
                            detail="observability.metrics_public = true: metrics (tokens, "
                                   "amounts, fills) may be read beyond this machine; "
                                   "restrict access with a firewall")
            log.info("metrics_serving", url=url)
        sub = self._bus.subscribe("metrics", [ALL])
        try:
            async for ev in sub:
                self.metrics.observe(ev)
        finally:
            sub.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
