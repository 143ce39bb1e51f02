"""The alerting metrics: open and stuck orders, drawdown against the limit, failing safety
checks, signer refusals, cache hits, P&L and positions, as the exporter serves them."""

from __future__ import annotations

from decimal import Decimal

from prometheus_client import CollectorRegistry, generate_latest

from claudedex.apis.cache import TwoLevelCache
from claudedex.domain import Finding, RiskReport, Severity, Verdict
from claudedex.events import EquityMarked, OrderUpdated, PositionChanged, RiskAssessed
from claudedex.observability.metrics import EngineMetrics
from claudedex.observability.ops import OpsMetrics

WEI = 10**18


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sample(metrics: EngineMetrics, line_start: str) -> float:
    for line in generate_latest(metrics.registry).decode().splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{line_start} not exported")


def test_open_orders_and_the_oldest_age_follow_order_states() -> None:
    registry, clock = CollectorRegistry(), Clock()
    ops = OpsMetrics(registry, clock=clock)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    ops.observe(OrderUpdated(order_id="a", state="signed"))
    clock.now += 100
    ops.observe(OrderUpdated(order_id="b", state="signed"))
    ops.observe(OrderUpdated(order_id="a", state="broadcast"))
    clock.now += 250
    assert value("claudedex_orders_open", state="signed") == 1
    assert value("claudedex_orders_open", state="broadcast") == 1
    assert value("claudedex_order_oldest_open_seconds") == 350  # "a" is oldest, in flight
    ops.observe(OrderUpdated(order_id="a", state="filled"))
    assert value("claudedex_orders_open", state="broadcast") == 0
    assert value("claudedex_order_oldest_open_seconds") == 250
    assert value("claudedex_order_seconds_count", outcome="filled") == 1
    ops.observe(OrderUpdated(order_id="b", state="failed"))
    assert value("claudedex_order_oldest_open_seconds") == 0


def test_exported_gauges_counters_and_cache_hits() -> None:
    metrics = EngineMetrics(drawdown_limit_pct=Decimal("20"))
    cache = TwoLevelCache()
    metrics.ops.watch_cache(cache.stats)
    cache.stats.hits_l1, cache.stats.hits_l2, cache.stats.misses = 5, 2, 3
    for equity in (10 * WEI, 12 * WEI, 9 * WEI):
        metrics.observe(EquityMarked(equity_quote=equity, realized_quote=WEI // 2,
                                     unrealized_quote=-WEI // 4))
    failed = RiskReport(token="0xt", pair="0xp", verdict=Verdict.RISKY, findings=(
        Finding("CHECKS_FAILED", Severity.HIGH, "node down", {}),
        Finding("GOPLUS_UNAVAILABLE", Severity.INFO, "503", {})), elapsed_ms=1.0)
    metrics.observe(RiskAssessed(report=failed))
    metrics.observe(PositionChanged(token="0xt", symbol="T", amount=5, cost_quote=1,
                                    mark_quote=1, realized_quote=0))
    metrics.ops.signer_refused("target")
    metrics.ops.rpc_error("eth_call", "transport")
    assert sample(metrics, "claudedex_drawdown_pct") == 25.0  # 12 -> 9 ETH
    assert sample(metrics, "claudedex_drawdown_limit_pct") == 20.0
    assert sample(metrics, "claudedex_pnl_realized_eth") == 0.5
    assert sample(metrics, "claudedex_pnl_unrealized_eth") == -0.25
    assert sample(metrics, "claudedex_positions_open") == 1.0
    assert sample(metrics, "claudedex_safety_check_failures_total") == 1.0
    assert sample(metrics, 'claudedex_advisory_unavailable_total{source="goplus"}') == 1.0
    assert sample(metrics, 'claudedex_signer_refusals_total{code="target"}') == 1.0
    assert sample(metrics,
                  'claudedex_rpc_errors_total{kind="transport",method="eth_call"}') == 1.0
    assert sample(metrics, 'claudedex_cache_hits_total{level="l1"}') == 5.0
    assert sample(metrics, 'claudedex_cache_hits_total{level="l2"}') == 2.0
    assert sample(metrics, "claudedex_cache_misses_total") == 3.0
    assert sample(metrics, "claudedex_cache_l2_up") == 0.0  # no Redis configured
