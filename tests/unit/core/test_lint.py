"""The house rules hold for the whole tree: ruff clean everywhere, mypy strict on the engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "--output-format", "concise",
                             "claudedex", "cli", "tui", "benchmarks", "tests"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean_on_the_engine() -> None:
    result = subprocess.run([str(BIN / "mypy"), "--cache-dir", "/tmp/claudedex-mypy-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
