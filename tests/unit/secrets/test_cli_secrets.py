"""``claudedex secrets set|get|list|rotate`` and their one-line refusals (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

SECRET = "sk-live-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, stdin: str | None = None):  # noqa: ANN201 - click Result
    return CliRunner().invoke(app, ["secrets", *args], input=stdin)


def cli(*args: str, stdin: str = "", passphrase: str | None = "first pass") -> str:
    """Run ``claudedex`` in a process of its own; assert one stderr line and exit 2."""
    env = {k: v for k, v in os.environ.items() if k != "CLAUDEDEX_SECRETS_PASSPHRASE"}
    if passphrase is not None:
        env["CLAUDEDEX_SECRETS_PASSPHRASE"] = passphrase
    done = subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *args],
                          input=stdin, capture_output=True, text=True, cwd=ROOT,
                          env={**env, "PYTHONPATH": str(ROOT)}, timeout=120, check=False)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "first pass")


def test_set_get_list_rotate(monkeypatch: pytest.MonkeyPatch) -> None:
    res = run("set", "agg-key", "--from-stdin", stdin=SECRET + "\n")
    assert res.exit_code == 0, res.output
    assert SECRET not in res.output
    assert run("set", "other", "--from-stdin", stdin="v2-value").exit_code == 0
    got = run("get", "agg-key")
    assert got.exit_code == 0 and got.output == SECRET + "\n"
    listed = run("list")
    assert listed.output.split() == ["agg-key", "other"] and SECRET not in listed.output
    monkeypatch.setenv("CLAUDEDEX_SECRETS_NEW_PASSPHRASE", "second pass")
    rotated = run("rotate")
    assert rotated.exit_code == 0 and "re-encrypted 2 secrets" in rotated.output
    assert run("get", "agg-key").exit_code != 0  # the old passphrase no longer opens it
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "second pass")
    assert run("get", "agg-key").output == SECRET + "\n"


def test_bad_input_is_one_line_and_exit_2() -> None:
    assert "secret name" in cli("secrets", "set", "../etc", "--from-stdin", stdin="v")
    assert "--from-stdin" in cli("secrets", "set", "k")  # no terminal to type it on
    assert "no secrets store" in cli("secrets", "list")
    assert run("set", "k", "--from-stdin", stdin="value-1").exit_code == 0
    assert "CLAUDEDEX_SECRETS_PASSPHRASE" in cli("secrets", "get", "k", passphrase=None)
    assert "wrong passphrase" in cli("secrets", "get", "k", passphrase="nope")
    assert "no secret named" in cli("secrets", "get", "absent")
