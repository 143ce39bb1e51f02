"""The alert rules and the Grafana dashboard: valid for promtool, and naming only metrics the
engine really exports (a renamed metric must break this test, not silence an alert)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from claudedex.apis.cache import TwoLevelCache
from claudedex.observability.metrics import EngineMetrics

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy" / "prometheus" / "claudedex-rules.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "claudedex-rules.test.yml"
EXAMPLE = ROOT / "deploy" / "prometheus" / "prometheus.example.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "claudedex-dashboard.json"
METRIC = re.compile(r"\bclaudedex_[a-z0-9_]+")
BUILTIN = {"up"}
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool missing: scripts/ensure_services.sh installs the "
                             "Debian package prometheus")


def exported_names() -> set[str]:
    """Every sample name the engine's registry can serve (labelled ones included)."""
    metrics = EngineMetrics()
    metrics.ops.watch_cache(TwoLevelCache().stats)
    names: set[str] = set()
    for family in metrics.registry.collect():
        base = family.name
        if family.type == "counter":
            names |= {base + "_total"}
        elif family.type == "histogram":
            names |= {base + "_bucket", base + "_count", base + "_sum"}
        else:
            names.add(base)
    return names


def rules_text() -> str:
    """The rules file without its comments (promtool checks its structure)."""
    return "\n".join(line for line in RULES.read_text().splitlines()
                     if not line.lstrip().startswith("#"))


def dashboard_exprs() -> list[str]:
    dash = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in dash["panels"] for t in p["targets"]]


def test_rules_cover_the_alerts_operators_need() -> None:
    names = set(re.findall(r"- alert: (\w+)", rules_text()))
    assert {"ClaudeDexEngineHalted", "ClaudeDexDrawdownOverLimit", "ClaudeDexExitsFailing",
            "ClaudeDexStuckOrders", "ClaudeDexRpcErrors", "ClaudeDexSafetyChecksFailing",
            "ClaudeDexSignerRefusals", "ClaudeDexOrderErrorRate",
            "ClaudeDexComponentCrashes"} <= names


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_every_metric_named_is_exported(source: str) -> None:
    exprs = [rules_text()] if source == "rules" else dashboard_exprs()
    named = {m for e in exprs for m in METRIC.findall(e)}
    assert named, "no claudedex metric referenced"
    missing = named - exported_names()
    assert not missing, f"{source} name metrics the engine does not export: {sorted(missing)}"


@needs_promtool
def test_promtool_checks_the_rules_and_the_example_config() -> None:
    for args in (["check", "rules", str(RULES)], ["check", "config", str(EXAMPLE)]):
        out = subprocess.run([str(PROMTOOL), *args], capture_output=True, text=True,
                             timeout=120, check=False)
        assert out.returncode == 0, out.stdout + out.stderr


@needs_promtool
def test_promtool_unit_tests_fire_the_alerts() -> None:
    out = subprocess.run([str(PROMTOOL), "test", "rules", str(RULE_TESTS)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


@needs_promtool
def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    # promtool parses recording rules' expressions: the dashboard's queries as rules
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:q{i}", "expr": e} for i, e in enumerate(dashboard_exprs())]}]}
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(json.dumps(rules))  # JSON is YAML
    out = subprocess.run([str(PROMTOOL), "check", "rules", str(path)], capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_dashboard_is_a_grafana_dashboard() -> None:
    dash = json.loads(DASHBOARD.read_text())
    assert isinstance(dash["schemaVersion"], int) and dash["schemaVersion"] >= 36
    assert dash["uid"] and dash["title"] and dash["panels"]
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(p["title"].lower() for p in dash["panels"])
    for topic in ("p&l", "positions", "verdicts", "latency", "orders"):
        assert topic in titles, topic
    for panel in dash["panels"]:
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        assert panel["datasource"]["uid"] == "${datasource}"
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"])
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs))
