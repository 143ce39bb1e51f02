"""``claudedex api token|revoke|openapi``: a token on stdout, refusals in one line (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claudedex.api.revoked import RevocationList
from claudedex.api.routes import ROUTES
from claudedex.api.tokens import TokenIssuer, signing_key
from claudedex.paths import data_dir
from cli.main import app

ROOT = Path(__file__).resolve().parents[3]


def cli(*args: str, passphrase: str | None = "cli pass") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLAUDEDEX_SECRETS_PASSPHRASE"}
    if passphrase is not None:
        env["CLAUDEDEX_SECRETS_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL,
                          env={**env, "PYTHONPATH": str(ROOT)}, timeout=120, check=False)


def test_token_is_printed_and_verifies_with_the_stored_key(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "cli pass")
    res = CliRunner().invoke(app, ["api", "token", "--role", "operator", "--ttl", "120"])
    assert res.exit_code == 0, res.output
    token = res.stdout.strip()
    assert len(token.splitlines()) == 1
    key = signing_key(data_dir("devnet"), "api-jwt-key", create=False)
    claims = TokenIssuer(key, "devnet").verify(token)
    assert claims.role == "operator" and claims.exp - claims.iat == 120
    assert f"token id {claims.jti}" in res.stderr
    revoked = CliRunner().invoke(app, ["api", "revoke", claims.jti])
    assert revoked.exit_code == 0 and RevocationList(data_dir("devnet")).is_revoked(claims.jti)


@pytest.mark.parametrize(("args", "says"), [
    (("--role", "root", "--ttl", "60"), "--role 'root'"),
    (("--role", "viewer", "--ttl", "soon"), "--ttl 'soon'"),
    (("--role", "viewer", "--ttl", "0"), "--ttl '0'"),
    (("--role", "viewer", "--ttl", "-5"), "--ttl '-5'"),
    (("--role", "viewer", "--ttl", "99999999999"), "--ttl"),
])
def test_bad_role_or_ttl_is_one_line_and_exit_2(args: tuple[str, ...], says: str) -> None:
    done = cli("api", "token", *args)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and says in done.stderr
    assert done.stdout == ""


def test_a_locked_store_is_one_line_and_exit_2() -> None:
    done = cli("api", "token", "--role", "viewer", "--ttl", "60", passphrase=None)
    assert done.returncode == 2 and "CLAUDEDEX_SECRETS_PASSPHRASE" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_openapi_command_prints_the_description() -> None:
    res = CliRunner().invoke(app, ["api", "openapi"])
    doc = json.loads(res.stdout)
    assert {r.path for r in ROUTES} <= set(doc["paths"])


@pytest.mark.parametrize("jti", ["nothex", "ABCDEF0123456789ABCDEF0123456789",
                                 "0123456789abcdef0123456789abcde", "g" * 32])
def test_revoking_something_that_is_no_token_id_is_one_line_and_exit_2(jti: str) -> None:
    """Red team: `api revoke nothex` exited 0 and "revoked" an id no token can have, while
    the real token (a mistyped id) stayed valid."""
    done = cli("api", "revoke", jti)
    assert done.returncode == 2 and "not a token id" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not RevocationList(data_dir("devnet")).is_revoked(jti)
