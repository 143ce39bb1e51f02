"""``claudedex run`` serves the control API when the profile enables it, and no secret
from the store reaches a log, stdout or stderr.

The run's profile takes its relay URL (with a password in it), its audit MAC key and the
API's token key from the secrets store. An operator token halts the running engine over
HTTP; then every file under CLAUDEDEX_HOME and the process's output are searched for each
secret value and the passphrase.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from tests.integration.api.conftest import PASSPHRASE
from tests.integration.execution.test_cli_trade import write_manifest

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]


def profile_text() -> str:
    base = (ROOT / "profiles" / "devnet.toml").read_text()
    return base + """
[apis]
private_relay_url = "secret:relay-url"

[api]
enabled = true
port = 0

[secrets]
audit_key_secret = "audit-mac"
"""


def listening_url(log: Path) -> str | None:
    """The API's URL from the run's ``api_listening`` log line, once it is written."""
    if log.exists():
        for line in log.read_text().splitlines():
            if '"api_listening"' in line:
                return str(json.loads(line)["url"])
    return None


async def wait_for_api(log: Path, proc: asyncio.subprocess.Process) -> str:
    async with asyncio.timeout(240):
        while True:
            if proc.returncode is not None:
                raise AssertionError(f"claudedex run exited {proc.returncode}")
            url = await asyncio.to_thread(listening_url, log)
            if url is not None:
                return url
            await asyncio.sleep(0.2)


async def test_run_serves_the_api_and_logs_no_secret(chain, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from claudedex.paths import claudedex_home, data_dir
    from claudedex.secrets.store import open_store
    from cli.main import app

    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", PASSPHRASE)
    write_manifest(chain, next(chain.accounts))
    relay_pw = "relay-pw-" + secrets.token_hex(8)
    audit_key = secrets.token_hex(32)
    store = open_store(data_dir("devnet"), create=True)
    store.set("relay-url", f"http://relayuser:{relay_pw}@127.0.0.1:9/")
    store.set("audit-mac", audit_key)
    profile = tmp_path / "devnet-api.toml"
    profile.write_text(profile_text())

    home = claudedex_home()
    log = data_dir("devnet") / "claudedex.log"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from cli.main import main; main()", "run", "--headless",
        "--profile", str(profile), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        url = await wait_for_api(log, proc)
        issued = CliRunner().invoke(app, ["api", "token", "--role", "operator", "--ttl", "300",
                                          "--profile", str(profile)])
        assert issued.exit_code == 0, issued.output
        token = issued.stdout.strip().splitlines()[0]
        async with aiohttp.ClientSession() as http, http.post(
                url + "/halt", json={"reason": "api wired"},
                headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200, await resp.text()
        halt = json.loads(await asyncio.to_thread((data_dir("devnet") / "halt.json").read_text))
        assert halt["halted"] is True and halt["by"].startswith("api:operator:")
    finally:
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(120):
            raw_out, raw_err = await proc.communicate()
    out, err = raw_out.decode(), raw_err.decode()
    assert proc.returncode == 0, err[-3000:]

    jwt_key = open_store(data_dir("devnet")).get("api-jwt-key")
    assert not (data_dir("devnet") / "audit.key").exists()  # the MAC key came from the store
    verified = await asyncio.to_thread(  # the command runs its own event loop
        CliRunner().invoke, app, ["audit", "verify", "--profile", str(profile)])
    assert verified.exit_code == 0 and verified.stdout.startswith("OK (keyed)"), verified.output
    logged = log.read_text()
    assert "execution.private_relay" in logged and "***" in logged  # the URL line, scrubbed
    for secret in (relay_pw, audit_key, jwt_key, PASSPHRASE):
        assert secret not in out and secret not in err
        for path in home.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), (path, secret[:6])
