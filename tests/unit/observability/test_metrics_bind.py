"""/metrics binds to loopback unless the profile opts in with metrics_public = true."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from claudedex.bus import EventBus
from claudedex.config import ObservabilityConfig, is_loopback_host, load_profile, parse_profile
from claudedex.errors import ConfigError
from claudedex.observability.metrics import EngineMetrics, MetricsExporter

ROOT = Path(__file__).resolve().parents[3]
BASE: dict[str, Any] = {"name": "p", "mode": "paper", "chain": {"chain_id": 1, "name": "eth"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost",
                                  "LOCALHOST"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)
    assert ObservabilityConfig(metrics_host=host).metrics_host == host


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.10", "10.0.0.1",
                                  "metrics.example.com", "localhost.evil.com"])
def test_other_hosts_are_refused_without_metrics_public(host: str) -> None:
    assert not is_loopback_host(host)
    with pytest.raises(ConfigError) as err:
        parse_profile({**BASE, "observability": {"metrics_host": host}}, "p.toml")
    message = str(err.value)
    assert message.startswith("p.toml: key 'observability.metrics_host': not a loopback")
    assert "metrics_public = true" in message and "\n" not in message
    public = parse_profile(
        {**BASE, "observability": {"metrics_host": host, "metrics_public": True}}, "p.toml")
    assert public.observability.metrics_host == host and public.observability.metrics_public


def test_default_is_loopback_and_private() -> None:
    cfg = parse_profile(BASE, "p.toml").observability
    assert (cfg.metrics_host, cfg.metrics_public) == ("127.0.0.1", False)


def test_profile_file_error_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "open.toml"
    path.write_text('name = "open"\nmode = "paper"\n[chain]\nchain_id = 1\nname = "eth"\n'
                    '[observability]\nmetrics_port = 9100\nmetrics_host = "0.0.0.0"\n')
    with pytest.raises(ConfigError, match=r"open\.toml: key 'observability\.metrics_host'"):
        load_profile(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "audit", "verify", "--profile", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "observability.metrics_host" in lines[0]
    assert str(path) in lines[0]


def test_exporter_refuses_a_public_host_without_opt_in() -> None:
    with pytest.raises(ConfigError, match="metrics_public"):
        MetricsExporter(EventBus(), EngineMetrics(), port=1, host="0.0.0.0")


async def _serve(exporter: MetricsExporter) -> tuple[asyncio.Task[None], Any]:
    task = asyncio.create_task(exporter.run())
    await asyncio.sleep(0)  # run() binds before its first await: one turn of the loop
    return task, exporter._server


async def test_default_exporter_binds_loopback_and_does_not_warn() -> None:
    exporter = MetricsExporter(EventBus(), EngineMetrics(), port=_free_port())
    with capture_logs() as logs:
        task, server = await _serve(exporter)
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert not [e for e in logs if e["log_level"] == "warning"]
    finally:
        task.cancel()
        exporter.close()


async def test_public_exporter_warns_at_start() -> None:
    port = _free_port()
    exporter = MetricsExporter(EventBus(), EngineMetrics(), port=port, host="127.0.0.1",
                               public=True)
    with capture_logs() as logs:
        task, _server = await _serve(exporter)
    try:
        warnings = [e for e in logs if e["log_level"] == "warning"]
        assert [w["event"] for w in warnings] == ["metrics_public"]
        assert warnings[0]["url"] == f"http://127.0.0.1:{port}/metrics"
    finally:
        task.cancel()
        exporter.close()


def test_failing_exits_and_alerts_are_metrics() -> None:
    from claudedex.events import AlertRaised, PositionChanged
    from claudedex.observability.metrics import EngineMetrics

    m = EngineMetrics()

    def pos(token: str, status: str, amount: int = 5) -> PositionChanged:
        return PositionChanged(token=token, symbol="", amount=amount, cost_quote=1,
                               mark_quote=1, realized_quote=0, exit_status=status)

    m.observe(pos("a", "exit failed x1: reverted"))
    m.observe(pos("b", "exit failed x2: not sent"))
    m.observe(AlertRaised(level="error", source="portfolio", message="EXIT FAILED"))
    assert m.exits_failing._value.get() == 2
    m.observe(pos("a", "", amount=0))  # the exit landed
    assert m.exits_failing._value.get() == 1
    assert m.alerts.labels("error", "portfolio")._value.get() == 1
