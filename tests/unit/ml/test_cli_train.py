"""`claudedex train` on recorded devnet launches: one JSON line, a saved model, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "fixtures" / "launches.jsonl"


def claudedex(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAUDEDEX_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_train_on_data_prints_metrics_and_saves_a_model(tmp_path: Path) -> None:
    reg = tmp_path / "models"
    out = claudedex("train", "--data", str(FIXTURE), "--json", "--registry", str(reg),
                    "--seed", "3", home=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert {"auc", "precision", "recall", "threshold"} <= set(summary["test"])
    assert summary["per_family"]
    assert (reg / summary["version"] / "metadata.json").is_file()
    assert (reg / "LATEST").read_text().strip() == summary["version"]


@pytest.mark.slow
def test_leave_out_reports_the_unseen_family(tmp_path: Path) -> None:
    out = claudedex("train", "--data", str(FIXTURE), "--registry", str(tmp_path / "m"),
                    "--leave-out", "rug_pull", home=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "left-out family rug_pull" in out.stdout
    assert "per family:" in out.stdout


def test_missing_data_file_is_a_user_error(tmp_path: Path) -> None:
    out = claudedex("train", "--data", str(tmp_path / "nope.jsonl"), home=tmp_path)
    assert out.returncode == 2
    assert "nope.jsonl" in out.stderr and "Traceback" not in out.stderr


def test_unknown_leave_out_family_is_a_user_error(tmp_path: Path) -> None:
    out = claudedex("train", "--data", str(FIXTURE), "--leave-out", "honest_renounced",
                    "--registry", str(tmp_path / "m"), home=tmp_path)
    assert out.returncode == 2
    assert "not a scam family" in out.stderr
    assert not (tmp_path / "m").exists()  # nothing half-written


def test_malformed_dataset_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"obs": 1}\n')
    out = claudedex("train", "--data", str(bad), "--registry", str(tmp_path / "m"), home=tmp_path)
    assert out.returncode == 2
    assert "line 1" in out.stderr


def test_list_features_prints_the_documented_table(tmp_path: Path) -> None:
    out = claudedex("train", "--list-features", "--json", home=tmp_path)
    assert out.returncode == 0, out.stderr
    table = json.loads(out.stdout)
    assert len(table["features"]) > 40
    assert all(row["unit"] and row["source"] and row["doc"] for row in table["features"])
