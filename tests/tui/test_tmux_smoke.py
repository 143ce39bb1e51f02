"""The console in a real terminal: pairs stream in, ctrl+x shows HALTED and persists it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("tmux_smoke.sh")


@pytest.mark.slow
@pytest.mark.anvil
def test_console_in_tmux_streams_pairs_and_halts() -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is missing: `make test` installs it (scripts/ensure_services.sh)")
    env = dict(os.environ, REQUIRE_PAIRS="1", PAIRS_TIMEOUT="150")
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True,
                            timeout=280, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "PASS: emergency stop shown on screen and persisted" in result.stdout
