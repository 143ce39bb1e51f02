"""Bus events become Prometheus samples, served over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import socket
import urllib.request

from claudedex.bus import EventBus
from claudedex.domain import RiskReport, Verdict
from claudedex.events import EngineHaltChanged, OrderFilled, ProposalDecided, RiskAssessed
from claudedex.observability.metrics import EngineMetrics, MetricsExporter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_events_become_samples_on_the_metrics_endpoint() -> None:
    bus = EventBus()
    port = free_port()
    exporter = MetricsExporter(bus, EngineMetrics(), port=port)
    task = asyncio.create_task(exporter.run())
    try:
        await asyncio.sleep(0.05)
        report = RiskReport(token="0xT", pair="0xP", verdict=Verdict.SCAM, findings=(),
                            elapsed_ms=42.0)
        await bus.publish(RiskAssessed(report=report))
        await bus.publish(ProposalDecided(proposal_id="p", decision="rejected", by="engine"))
        await bus.publish(OrderFilled(order_id="o", token="0xT", side="buy", amount_in=1,
                                      amount_out=2, gas_cost_wei=10**15, tx_hash="0x",
                                      block_number=1))
        await bus.publish(EngineHaltChanged(halted=True, reason="r", by="me"))
        await asyncio.sleep(0.05)
        body = await asyncio.to_thread(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)
            .read().decode())
    finally:
        task.cancel()
        exporter.close()
    assert 'claudedex_risk_reports_total{verdict="scam"} 1.0' in body
    assert 'claudedex_proposal_decisions_total{decision="rejected"} 1.0' in body
    assert 'claudedex_fills_total{side="buy"} 1.0' in body
    assert "claudedex_gas_paid_eth_total 0.001" in body
    assert "claudedex_halted 1.0" in body
    assert 'claudedex_risk_report_ms_bucket{le="50.0"} 1.0' in body
