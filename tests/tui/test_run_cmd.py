"""`claudedex run`: headless runs the engine and prints a JSON summary; bad input exits 2;
logs are JSON lines in the profile's data dir."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from claudedex.errors import UserInputError
from cli.run_cmd import _threshold

ROOT = Path(__file__).resolve().parents[2]


def claudedex(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120,
                          env={"CLAUDEDEX_HOME": str(home), "PATH": "/usr/bin:/bin"})


def test_threshold_parsing() -> None:
    assert _threshold("0.05") == Decimal("0.05")
    assert _threshold(None) is None
    with pytest.raises(UserInputError):
        _threshold("lots")
    with pytest.raises(UserInputError):
        _threshold("-1")


@pytest.mark.slow
def test_headless_json_summary_and_log_file(_isolated_home: Path) -> None:
    done = claudedex("run", "--headless", "--duration", "1", "--json", home=_isolated_home)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["profile"] == "devnet" and summary["halted"] is False
    log = Path(summary["log"])
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(entry["event"] == "engine_started" for entry in lines)
    assert any(entry["event"] == "engine_stopped" for entry in lines)


def test_bad_auto_approve_exits_2(_isolated_home: Path) -> None:
    done = claudedex("run", "--headless", "--auto-approve-below", "abc", home=_isolated_home)
    assert done.returncode == 2
    assert "auto-approve-below" in done.stderr
