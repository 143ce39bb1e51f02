"""The API's gate on an engine facade without a kernel: 401, 403, 429, 400, TLS, OpenAPI.

The commands run on :class:`claudedex.engine.Engine` (unwired: halt and status need no
chain); audit rows go to a real keyed audit log on SQLite. The devnet tests
(tests/integration/api) run the same server inside a running engine.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from claudedex.api.server import ApiServer
from claudedex.api.tokens import TokenIssuer, signing_key
from claudedex.config import ApiConfig, load_profile
from claudedex.engine import Engine
from claudedex.security.audit import AuditLog
from claudedex.storage.database import Database


class Rig:
    def __init__(self, server: ApiServer, engine: Engine, audit: AuditLog) -> None:
        self.server, self.engine, self.audit = server, engine, audit
        assert server.issuer is not None
        self.issuer: TokenIssuer = server.issuer

    def token(self, role: str) -> str:
        return self.issuer.issue(role, 300)[0]

    async def call(self, method: str, path: str, token: str | None = None,
                   body: Any = None, ssl_ctx: ssl.SSLContext | None = None,
                   ) -> tuple[int, dict[str, Any], dict[str, str]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with aiohttp.ClientSession() as http, http.request(
                method, self.server.url + path, json=body, headers=headers,
                ssl=ssl_ctx if ssl_ctx is not None else True) as resp:
            return resp.status, await resp.json(), dict(resp.headers)

    async def rows(self, action: str) -> list[dict[str, Any]]:
        return [dict(e.detail) for e in await self.audit.entries() if e.action == action]


async def make_rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   **cfg: Any) -> AsyncIterator[Rig]:
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "unit pass")
    engine = Engine(load_profile("devnet"), data_dir=tmp_path / "data", wire=False)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    await db.open()
    audit = AuditLog(db, key_dir=tmp_path / "data")
    server = ApiServer(engine, ApiConfig(enabled=True, port=0, **cfg), profile_name="devnet",
                       data_dir=tmp_path / "data", audit=audit.append)
    await server.start()
    try:
        yield Rig(server, engine, audit)
    finally:
        await server.close()
        await db.close()


@pytest.fixture
async def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Rig]:
    async for r in make_rig(tmp_path, monkeypatch):
        yield r


async def test_no_token_bad_token_expired_token_get_401(rig: Rig) -> None:
    status, body, headers = await rig.call("POST", "/halt", None, {})
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    forged = TokenIssuer(bytes(32), "devnet").issue("admin", 300)[0]
    expired = rig.issuer.issue("admin", 1, now=0)[0]
    for token in ("garbage", forged, expired):
        status, body, _ = await rig.call("POST", "/halt", token, {})
        assert status == 401, body
    assert not rig.engine.is_halted()


async def test_viewer_gets_403_on_halt_and_the_refusal_is_audited(rig: Rig) -> None:
    token = rig.token("viewer")
    jti = rig.issuer.verify(token).jti
    status, body, _ = await rig.call("POST", "/halt", token, {"reason": "x"})
    assert status == 403 and "viewer" in body["error"]
    assert not rig.engine.is_halted()
    assert [r["jti"] for r in await rig.rows("api_denied")] == [jti]
    status, body, _ = await rig.call("GET", "/status", token)
    assert status == 200 and body["result"]["halted"] is False


async def test_operator_halts_and_resumes_each_command_audited(rig: Rig) -> None:
    token = rig.token("operator")
    jti = rig.issuer.verify(token).jti
    status, body, _ = await rig.call("POST", "/halt", token, {"reason": "drill"})
    assert status == 200 and body["result"]["halted"] is True
    assert rig.engine.is_halted() and rig.engine.halt_switch.state.by == f"api:operator:{jti}"
    status, body, _ = await rig.call("POST", "/resume", token, {"confirm": True})
    assert status == 200 and not rig.engine.is_halted()
    halts, resumes = await rig.rows("api_halt"), await rig.rows("api_resume")
    assert halts[0]["jti"] == jti and halts[0]["status"] == 200
    assert resumes[0]["jti"] == jti and resumes[0]["args"] == {"confirm": True}


async def test_auditor_reads_the_audit_log_only(rig: Rig) -> None:
    token = rig.token("auditor")
    await rig.call("POST", "/halt", rig.token("operator"), {})
    status, body, _ = await rig.call("GET", "/status", token)
    assert status == 403
    # the audit views read the kernel's log: this unwired engine has none
    status, body, _ = await rig.call("GET", "/audit/verify", token)
    assert status == 503 and "not running" in body["error"]


async def test_bad_bodies_are_400_and_audited(rig: Rig) -> None:
    token = rig.token("operator")
    for body in ({"confirm": "yes"}, {"confirm": True, "extra": 1}, {}, [1]):
        status, answer, _ = await rig.call("POST", "/resume", token, body)
        assert status == 400, (body, answer)
    assert not rig.engine.is_halted()
    statuses = [r["status"] for r in await rig.rows("api_resume")]
    assert statuses == [400, 400, 400, 400]


async def test_a_flood_gets_429_with_retry_after(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    async for rig in make_rig(tmp_path, monkeypatch, requests_per_min=5):
        token = rig.token("viewer")
        answers = [await rig.call("GET", "/status", token) for _ in range(12)]
        limited = [(s, h) for s, _, h in answers if s == 429]
        assert limited and all(int(h["Retry-After"]) == 12 for _, h in limited)
        assert sum(1 for s, _, _ in answers if s == 200) >= 5
        status, _, _ = await rig.call("GET", "/status", rig.token("viewer"))
        assert status == 200  # another token is not held back


async def test_admin_issues_tokens_and_a_revoked_token_is_refused(rig: Rig) -> None:
    status, body, _ = await rig.call("POST", "/tokens", rig.token("admin"),
                                     {"role": "viewer", "ttl_s": 120})
    assert status == 200 and body["result"]["role"] == "viewer"
    issued = body["result"]["token"]
    assert (await rig.call("GET", "/status", issued))[0] == 200
    rig.server.revoked.revoke(body["result"]["jti"])
    status, body, _ = await rig.call("GET", "/status", issued)
    assert status == 401 and "revoked" in body["error"]
    status, _, _ = await rig.call("POST", "/tokens", rig.token("operator"),
                                  {"role": "admin", "ttl_s": 60})
    assert status == 403


async def test_openapi_describes_every_route(rig: Rig) -> None:
    status, doc, _ = await rig.call("GET", "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    served = {(r.method.lower(), r.resource.canonical)  # type: ignore[union-attr]
              for r in rig.server.app().router.routes() if r.method != "HEAD"}
    described = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert served == described
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and "responses" in op, (method, path)


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                           x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "api.crt", tmp_path / "api.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


async def test_tls_when_a_certificate_is_configured(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    async for rig in make_rig(tmp_path, monkeypatch, tls_cert=str(cert), tls_key=str(key)):
        assert rig.server.url.startswith("https://")
        trust = ssl.create_default_context(cafile=str(cert))
        status, body, _ = await rig.call("GET", "/status", rig.token("viewer"), ssl_ctx=trust)
        assert status == 200 and body["result"]["profile"] == "devnet"


def test_the_token_key_lives_in_the_secrets_store(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from claudedex.secrets.store import open_store, store_path

    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "unit pass")
    key = signing_key(tmp_path, "api-jwt-key", create=True)
    assert len(key) == 32 and signing_key(tmp_path, "api-jwt-key", create=False) == key
    assert key.hex() not in store_path(tmp_path).read_text()
    assert open_store(tmp_path).get("api-jwt-key") == key.hex()


async def test_nested_bodies_and_headers_never_reach_the_json_parser(rig: Rig) -> None:
    import base64

    token = rig.token("operator")
    deep = "[" * 20000 + "]" * 20000
    async with aiohttp.ClientSession() as http, http.post(
            rig.server.url + "/halt", data=deep,
            headers={"Authorization": f"Bearer {token}",
                     "Content-Type": "application/json"}) as resp:
        assert resp.status == 400 and "nested" in (await resp.json())["error"]
    head = base64.urlsafe_b64encode(b"[" * 1000 + b"]" * 1000).rstrip(b"=").decode()
    status, body, _ = await rig.call("GET", "/status", f"{head}.e30.sig")
    assert status == 401 and "header" in body["error"]
    status, body, _ = await rig.call("GET", "/status", "x" * 5000)
    assert status == 401
    assert not rig.engine.is_halted()


async def _post_raw(rig: Rig, path: str, token: str, data: bytes) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(
            rig.server.url + path, data=data,
            headers={"Authorization": f"Bearer {token}",
                     "Content-Type": "application/json"}) as resp:
        return resp.status, await resp.json()


async def test_an_oversized_body_is_413_and_audited_not_an_internal_error(rig: Rig) -> None:
    from claudedex.api.server import MAX_BODY

    body = b'{"reason": "' + b"x" * MAX_BODY + b'"}'
    status, answer = await _post_raw(rig, "/halt", rig.token("operator"), body)
    assert status == 413 and answer["kind"] == "BodyRefused", answer
    assert not rig.engine.is_halted()
    assert [r["status"] for r in await rig.rows("api_halt")] == [413]


async def test_a_lone_surrogate_is_400_and_the_refusal_is_audited(rig: Rig) -> None:
    # json.loads turns "\ud800" into a str that cannot be encoded: before the fix the halt
    # engaged, the log line and the audit row then raised, and the client got a bare 500
    status, answer = await _post_raw(rig, "/halt", rig.token("operator"),
                                     b'{"reason": "\\ud800"}')
    assert status == 400 and "surrogate" in answer["error"], answer
    assert not rig.engine.is_halted()
    assert [r["status"] for r in await rig.rows("api_halt")] == [400]
    status, answer, _ = await rig.call("GET", "/reports/%ED%A0%80", rig.token("viewer"))
    assert status in (400, 404, 503)  # never a crash


async def test_a_client_stalled_mid_body_does_not_hold_up_close(rig: Rig) -> None:
    import asyncio

    port = int(rig.server.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"POST /halt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  f"{rig.token('operator')}\r\nContent-Type: application/json\r\n"
                  "Content-Length: 100\r\n\r\n{").encode())
    await writer.drain()
    while not rig.server._reading:  # noqa: ASYNC110 - the handler now waits on the body
        await asyncio.sleep(0.01)
    # aiohttp waits up to 60 s for running handlers on cleanup; a stalled upload must not
    # count as one (the bound below only guards against a hang, it is not a speed goal)
    await asyncio.wait_for(rig.server.close(), timeout=45)
    assert not rig.engine.is_halted()
    writer.close()


def test_an_encrypted_tls_key_is_a_clear_error_not_a_terminal_prompt(tmp_path: Path) -> None:
    # before: OpenSSL asked "Enter PEM pass phrase:" on the terminal (engine start blocked
    # under the console) and the error read "OSError: [Errno 22] Invalid argument"
    from claudedex.api.server import tls_context
    from claudedex.errors import ConfigError

    cert, key_path = self_signed(tmp_path)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass phrase")))
    with pytest.raises(ConfigError, match="tls_key is encrypted"):
        tls_context(ApiConfig(tls_cert=str(cert), tls_key=str(key_path)))


def test_a_tls_key_without_a_certificate_is_refused_not_served_as_http() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="tls_cert is not"):
        ApiConfig(tls_key="/etc/api.key")


async def test_an_unreadable_revocation_list_refuses_every_token(rig: Rig) -> None:
    # before: a damaged list read as empty at start, so a revoked token was let back in
    from claudedex.api.revoked import RevocationList

    token = rig.token("operator")
    jti = rig.issuer.verify(token).jti
    RevocationList(rig.server.data_dir).revoke(jti)
    rig.server.revoked = RevocationList(rig.server.data_dir)  # as at engine start
    rig.server.revoked.path.write_text('{"revoked": ["' + jti + '", "')  # cut short
    status, body, _ = await rig.call("POST", "/halt", token, {})
    assert status == 401 and "unreadable" in body["error"] and not rig.engine.is_halted()
    status, body, _ = await rig.call("GET", "/status", rig.token("viewer"))
    assert status == 401  # closed for everyone until repaired
    RevocationList(rig.server.data_dir).revoke("0" * 32)  # `api revoke` repairs, keeping jti
    status, _, _ = await rig.call("GET", "/status", rig.token("viewer"))
    assert status == 200
    status, body, _ = await rig.call("POST", "/halt", token, {})
    assert status == 401 and body["error"] == "token revoked"


async def test_a_port_in_use_is_one_clear_error(rig: Rig, tmp_path: Path) -> None:
    # before: a bare OSError, so `claudedex run` ended in a traceback
    from claudedex.errors import ConfigError

    port = int(rig.server.url.rsplit(":", 1)[1])
    second = ApiServer(rig.engine, ApiConfig(enabled=True, port=port), profile_name="devnet",
                       data_dir=rig.server.data_dir, audit=rig.audit.append)
    with pytest.raises(ConfigError, match=f"127.0.0.1:{port}: cannot listen"):
        await second.start()


async def test_a_body_that_never_arrives_gets_408(rig: Rig, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    import asyncio

    import claudedex.api.server as server_module

    monkeypatch.setattr(server_module, "BODY_READ_S", 0.2)  # the rest of the body never comes
    port = int(rig.server.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"POST /halt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  f"{rig.token('operator')}\r\nContent-Type: application/json\r\n"
                  "Content-Length: 100\r\n\r\n{").encode())
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=45)
    assert status_line.split()[1] == b"408", status_line
    writer.close()
    assert not rig.engine.is_halted()
    assert [r["status"] for r in await rig.rows("api_halt")] == [408]
