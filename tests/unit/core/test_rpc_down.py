"""An RPC node that does not answer: one line and an exit code, never a traceback.

Real processes: ``run`` meets the failure inside a TaskGroup, whose ExceptionGroup the
command must unwrap; only the real entry point shows what the operator would see.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from claudedex.errors import ChainError, ConfigError, UserInputError, sole_error

ROOT = Path(__file__).resolve().parents[3]
WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
ROUTER = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"


@pytest.fixture
def dead_url() -> str:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def claudedex(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=180)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_scan_with_rpc_down(dead_url: str) -> None:
    result = claudedex("scan", "--rpc-url", dead_url, "--router", ROUTER, "--token", WETH)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines(result.stderr)) == 1 and dead_url in result.stderr


def test_run_with_rpc_down_is_one_line(dead_url: str) -> None:
    result = claudedex("run", "--profile", "paper-ethereum", "--duration", "30",
                       CLAUDEDEX_ETH_RPC_URL=dead_url)
    assert result.returncode == 1, result.stderr  # the node is down: not a typo of the operator
    assert "Traceback" not in result.stderr and "Exception Group" not in result.stderr
    assert lines(result.stderr) == [lines(result.stderr)[0]]
    assert lines(result.stderr)[0].startswith("error: ") and dead_url in result.stderr


def test_headless_run_with_rpc_down_ends_with_the_error(dead_url: str) -> None:
    result = claudedex("run", "--profile", "paper-ethereum", "--headless", "--duration", "30",
                       CLAUDEDEX_ETH_RPC_URL=dead_url)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr  # headless shows its log lines, then the error
    assert lines(result.stderr)[-1].startswith("error: ") and dead_url in result.stderr


def test_sole_error_unwraps_groups_of_claudedex_errors() -> None:
    chain = ChainError("rpc down")
    group = ExceptionGroup("tg", [ExceptionGroup("inner", [chain]), ConfigError("later")])
    assert sole_error(group) is chain
    assert sole_error(UserInputError("x")) is not None
    assert sole_error(ExceptionGroup("tg", [chain, ValueError("bug")])) is None
    assert sole_error(ValueError("bug")) is None
