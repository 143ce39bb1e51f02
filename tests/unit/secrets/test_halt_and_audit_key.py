"""The emergency stop never waits for the secrets passphrase; the audit MAC key can live in
the store (no ``audit.key`` file), and ``audit verify`` finds it there."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claudedex.halt import HaltSwitch
from claudedex.paths import data_dir
from claudedex.secrets.store import open_store
from cli.main import app

ROOT = Path(__file__).resolve().parents[3]
PROFILE = """
name = "sec"
mode = "paper"
[chain]
chain_id = 1
name = "ethereum"
rpc_url = "secret:rpc"
[secrets]
audit_key_secret = "audit-mac"
"""


def test_halt_without_passphrase_then_audited_with_the_stored_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "sec pass")
    store = open_store(data_dir("sec"), create=True)
    store.set("rpc", "https://rpc.example/v3/" + secrets.token_hex(8))
    store.set("audit-mac", secrets.token_hex(32))
    profile = tmp_path / "sec.toml"
    profile.write_text(PROFILE)

    env = {k: v for k, v in os.environ.items() if k != "CLAUDEDEX_SECRETS_PASSPHRASE"}
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "halt", "--profile",
         str(profile)], capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL,
        env={**env, "PYTHONPATH": str(ROOT)}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert HaltSwitch(data_dir("sec") / "halt.json").is_halted()  # stopped, store locked
    assert "not audited" in done.stderr and "CLAUDEDEX_SECRETS_PASSPHRASE" in done.stderr

    resumed = CliRunner().invoke(app, ["resume", "--profile", str(profile), "--yes"])
    assert resumed.exit_code == 0 and "not audited" not in resumed.output, resumed.output
    assert not (data_dir("sec") / "audit.key").exists()  # the key came from the store
    verified = CliRunner().invoke(app, ["audit", "verify", "--profile", str(profile)])
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("OK (keyed): 1 audit entries")
