"""`claudedex train` stopped by SIGTERM or Ctrl-C stops the anvil it started.

A real process: the point is what the operating system delivers, so the command runs as a
subprocess and its children are found in /proc (no timing assumptions: bounded polling).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEADLINE_S = 180.0  # generous: a loaded CI machine imports web3 and boots anvil slowly

pytestmark = [pytest.mark.anvil, pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")]


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (field 3 onwards), or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()


def anvil_children(parent: int) -> dict[int, str]:
    """Live anvil processes whose parent is ``parent``: pid -> start time (pid reuse)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if fields and comm == "anvil" and int(fields[1]) == parent and fields[0] != "Z":
            found[int(entry.name)] = fields[19]
    return found


def alive(pid: int, started: str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[19] == started and fields[0] != "Z"


def _default_sigint() -> None:
    # A test runner started in the background inherits SIGINT ignored; Python then keeps it
    # ignored, and the Ctrl-C case would test nothing.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_training_anvil(tmp_path: Path, sig: signal.Signals) -> None:
    env = {**os.environ, "CLAUDEDEX_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "cli.main", "train", "--launches", "20", "--json",
           "--registry", str(tmp_path / "reg")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,  # noqa: S603
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)  # noqa: PLW1509 - one call, no threads
    children: dict[int, str] = {}
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not children and proc.poll() is None and time.monotonic() < deadline:
            children = anvil_children(proc.pid)
            if not children:
                time.sleep(0.05)  # polling, not waiting for a duration
        assert children, f"no anvil child appeared (exit {proc.poll()})"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=DEADLINE_S)
        survivors = {pid for pid, started in children.items() if alive(pid, started)}
        assert not survivors, f"anvil {survivors} outlived `claudedex train`: {err[-2000:]}"
        assert proc.returncode != 0
        if sig is signal.SIGTERM:
            assert proc.returncode == 128 + signal.SIGTERM, err[-2000:]
        assert "Traceback" not in err, err[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        for pid, started in children.items():
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)
