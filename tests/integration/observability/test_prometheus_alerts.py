"""A real Prometheus scrapes a devnet engine with the shipped rules; after a halt, the
ClaudeDexEngineHalted alert fires (read back from Prometheus's /api/v1/alerts)."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from claudedex.config import load_profile
from claudedex.engine import Engine

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "claudedex-rules.yml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Prometheus:
    """``prometheus`` on a loopback port in a temp dir, scraping one target every second."""

    def __init__(self, root: Path, target: str) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            pytest.fail("prometheus missing: run scripts/ensure_services.sh (Debian package "
                        "prometheus)", pytrace=False)
        self.port = free_port()
        config = root / "prometheus.yml"
        shutil.copy(RULES, root / "rules.yml")
        config.write_text(json.dumps({  # JSON is YAML
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ["rules.yml"],
            "scrape_configs": [{"job_name": "claudedex",
                                "static_configs": [{"targets": [target]}]}]}))
        self.log = (root / "prometheus.log").open("w")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={root / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=root)

    def api(self, path: str, **query: str) -> Any:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=5) as resp:
            return json.loads(resp.read())["data"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def metrics_port() -> int:
    return free_port()


@pytest.fixture
def prometheus(tmp_path: Path, metrics_port: int) -> Iterator[Prometheus]:
    root = tmp_path / "prometheus"
    root.mkdir()
    server = Prometheus(root, f"127.0.0.1:{metrics_port}")
    try:
        yield server
    finally:
        server.stop()


async def poll(prom: Prometheus, path: str, check: Any, *, timeout_s: float = 90,
               **query: str) -> Any:
    """Ask Prometheus until ``check(answer)`` is truthy (connection errors: not yet up)."""
    last: Any = None
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                try:
                    last = await asyncio.to_thread(prom.api, path, **query)
                    if check(last):
                        return last
                except OSError:
                    pass
                await asyncio.sleep(0.25)
    except TimeoutError:
        raise AssertionError(f"Prometheus {path} {query}: last answer {last!r}") from None


def firing(alerts: Any, name: str) -> list[dict[str, Any]]:
    return [a for a in alerts["alerts"]
            if a["labels"]["alertname"] == name and a["state"] == "firing"]


async def test_halt_fires_the_engine_halted_alert(tmp_path: Path, metrics_port: int,
                                                  prometheus: Prometheus) -> None:
    profile = load_profile("devnet")
    assert profile.devnet is not None
    profile = profile.model_copy(update={
        "observability": profile.observability.model_copy(update={"metrics_port":
                                                                  metrics_port}),
        "devnet": profile.devnet.model_copy(update={"launch_rate_per_min": Decimal(0)})})
    engine = Engine(profile, data_dir=tmp_path / "devnet", serve_control=False)
    await engine.start()
    try:
        # scraped and evaluated while running: the rule is loaded and quiet
        await poll(prometheus, "query",
                   lambda d: [r for r in d["result"] if r["value"][1] == "0"],
                   query="claudedex_halted")
        rules = await poll(prometheus, "rules", lambda d: d["groups"])
        names = {r["name"] for g in rules["groups"] for r in g["rules"]}
        assert "ClaudeDexEngineHalted" in names
        alerts = await asyncio.to_thread(prometheus.api, "alerts")
        assert not firing(alerts, "ClaudeDexEngineHalted")

        await engine.halt("prometheus test")
        alerts = await poll(prometheus, "alerts",
                            lambda d: firing(d, "ClaudeDexEngineHalted"))
    finally:
        await engine.stop()
    alert = firing(alerts, "ClaudeDexEngineHalted")[0]
    assert alert["labels"]["severity"] == "critical"
    assert alert["labels"]["instance"] == f"127.0.0.1:{metrics_port}"
    assert "is halted" in alert["annotations"]["summary"]
