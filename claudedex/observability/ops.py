"""The metrics the alert rules read: open and stuck orders, drawdown, failing safety checks,
signer refusals, RPC errors and the API cache's hit rates.

Why a module apart from :mod:`claudedex.observability.metrics`: these are not plain event
counts but small pieces of derived state (the last state of each order, the equity peak),
and counts fed from outside the bus (the signer guard's refusals, the RPC middleware, the
cache). Every name here is read by ``deploy/prometheus/claudedex-rules.yml`` or the Grafana
dashboard; the tests check that both only name metrics the engine exports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from claudedex.events import EquityMarked, Event, OrderUpdated, PositionChanged, RiskAssessed

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from claudedex.apis.cache import CacheStats

WEI = 10**18
# an order in one of these states is finished (execution.states.TERMINAL); any other
# state is open: in flight, or waiting (reverted and dropped orders still move on)
TERMINAL = frozenset({"filled", "failed", "cancelled", "simulated"})
SAFETY_FAILED = "CHECKS_FAILED"


class _CacheCollector(Collector):
    """Reads the attached caches' plain counters at scrape time (the cache knows no
    Prometheus)."""

    def __init__(self) -> None:
        self.stats: list[CacheStats] = []

    def collect(self) -> Iterator[Metric]:
        hits = CounterMetricFamily("claudedex_cache_hits", "API/metadata cache hits",
                                   labels=["level"])
        misses = CounterMetricFamily("claudedex_cache_misses", "Cache misses (fetched)")
        errors = CounterMetricFamily("claudedex_cache_l2_errors",
                                     "Redis (L2) calls that failed or were skipped")
        up = GaugeMetricFamily("claudedex_cache_l2_up",
                               "1 while the Redis (L2) cache answers; 0 when down or absent")
        hits.add_metric(["l1"], sum(s.hits_l1 for s in self.stats))
        hits.add_metric(["l2"], sum(s.hits_l2 for s in self.stats))
        misses.add_metric([], sum(s.misses for s in self.stats))
        errors.add_metric([], sum(s.l2_errors for s in self.stats))
        configured = [s for s in self.stats if s.l2_configured]
        up.add_metric([], 1.0 if configured and all(s.l2_up for s in configured) else 0.0)
        yield from (hits, misses, errors, up)


class OpsMetrics:
    """Alerting metrics in the engine's registry; ``observe`` is fed every bus event.

    ``drawdown_limit_pct``: the profile's ``limits.max_drawdown_pct`` (exported so the rule
    compares against the limit the engine really runs with). ``clock``: seconds, monotonic.
    """

    def __init__(self, registry: CollectorRegistry, *, drawdown_limit_pct: Decimal | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        r = registry
        self._clock = clock
        self.orders_open = Gauge("claudedex_orders_open", "Orders not in a final state",
                                 ["state"], registry=r)
        self.oldest_open = Gauge("claudedex_order_oldest_open_seconds",
                                 "Age of the oldest order not yet final (s); 0 when none",
                                 registry=r)
        self.oldest_open.set_function(self._oldest_age)
        self.drawdown = Gauge("claudedex_drawdown_pct",
                              "Equity below its peak since start (percent)", registry=r)
        self.drawdown_limit = Gauge("claudedex_drawdown_limit_pct",
                                    "The profile's max_drawdown_pct", registry=r)
        self.safety_failed = Counter("claudedex_safety_check_failures_total",
                                     "Safety reports whose checks could not run", registry=r)
        self.advisory_down = Counter("claudedex_advisory_unavailable_total",
                                     "External advisory answers missing (API down, breaker "
                                     "open)", ["source"], registry=r)
        self.refusals = Counter("claudedex_signer_refusals_total",
                                "Transactions the signer guard refused", ["code"], registry=r)
        self.rpc_errors = Counter("claudedex_rpc_errors_total",
                                  "JSON-RPC calls that failed", ["method", "kind"], registry=r)
        self.order_seconds = Histogram("claudedex_order_seconds",
                                       "First state to final state of an order (s)",
                                       ["outcome"], registry=r,
                                       buckets=(0.5, 1, 2, 5, 10, 30, 60, 180, 600))
        self.positions = Gauge("claudedex_positions_open", "Open positions", registry=r)
        self.realized = Gauge("claudedex_pnl_realized_eth",
                              "Realized P&L (ETH, analytics only)", registry=r)
        self.unrealized = Gauge("claudedex_pnl_unrealized_eth",
                                "Unrealized P&L at the marks (ETH, analytics only)",
                                registry=r)
        if drawdown_limit_pct is not None:
            self.drawdown_limit.set(float(drawdown_limit_pct))
        self._cache = _CacheCollector()
        r.register(self._cache)
        self._orders: dict[str, tuple[str, float]] = {}  # order id -> (state, open since)
        self._peak = 0
        self._held: set[str] = set()

    def watch_cache(self, stats: CacheStats) -> None:
        """Export a cache's hit/miss counters (summed over every attached cache)."""
        self._cache.stats.append(stats)

    def signer_refused(self, code: str) -> None:
        self.refusals.labels(code or "unknown").inc()

    def rpc_error(self, method: str, kind: str) -> None:
        """``kind``: "transport" (no answer) or "rpc" (an error object, not a revert)."""
        self.rpc_errors.labels(method, kind).inc()

    def observe(self, ev: Event) -> None:
        if isinstance(ev, OrderUpdated):
            self._order(ev)
        elif isinstance(ev, PositionChanged):
            (self._held.add if ev.amount > 0 else self._held.discard)(ev.token)
            self.positions.set(len(self._held))
        elif isinstance(ev, EquityMarked):
            self.realized.set(ev.realized_quote / WEI)
            self.unrealized.set(ev.unrealized_quote / WEI)
            self._peak = max(self._peak, ev.equity_quote)
            if self._peak > 0:
                off = Decimal(self._peak - ev.equity_quote) * 100 / Decimal(self._peak)
                self.drawdown.set(float(max(off, Decimal(0))))
        elif isinstance(ev, RiskAssessed):
            for finding in ev.report.findings:
                if finding.code == SAFETY_FAILED:
                    self.safety_failed.inc()
                elif finding.code.endswith("_UNAVAILABLE"):
                    self.advisory_down.labels(finding.code.removesuffix("_UNAVAILABLE")
                                              .lower()).inc()

    def _order(self, ev: OrderUpdated) -> None:
        previous = self._orders.get(ev.order_id)
        if ev.state in TERMINAL:
            self._orders.pop(ev.order_id, None)
            if previous is not None:
                self.order_seconds.labels(ev.state).observe(
                    max(0.0, self._clock() - previous[1]))
        else:
            since = previous[1] if previous is not None else self._clock()
            self._orders[ev.order_id] = (ev.state, since)
        counts: dict[str, int] = {}
        for state, _since in self._orders.values():
            counts[state] = counts.get(state, 0) + 1
        seen = {previous[0]} if previous is not None else set()
        for state in seen | set(counts) | {ev.state}:
            if state not in TERMINAL:
                self.orders_open.labels(state).set(counts.get(state, 0))

    def _oldest_age(self) -> float:
        if not self._orders:
            return 0.0
        return max(0.0, self._clock() - min(since for _s, since in self._orders.values()))
