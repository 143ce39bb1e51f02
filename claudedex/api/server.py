"""The control API's HTTP server (aiohttp): authenticate, authorise, limit, run, audit.

Every request goes through the same steps, in this order: a bearer token that verifies
(else 401), not revoked (401), within its per-token rate (else 429 with ``Retry-After``),
a role that allows the route's action (else 403, audited), a body of the declared fields
and types (else 400); then the route's control command runs through
:func:`claudedex.control.commands.serve_command`, the same dispatcher the Unix socket
uses. Every command (POST) that gets past the rate limit is audited with the caller's
token id, whatever its outcome (a 401 has no caller; a 429 is not, so a flood cannot flood
the audit log). A body must arrive whole within BODY_READ_S: a stalled client is dropped
at once when the server closes, so it cannot hold up engine stop.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web

from claudedex.api.limits import TokenLimits
from claudedex.api.revoked import RevocationList
from claudedex.api.roles import allowed
from claudedex.api.routes import BOOLEAN, INTEGER, OPENAPI_PATH, ROUTES, STRING, Route, openapi
from claudedex.api.tokens import Claims, TokenError, TokenIssuer, signing_key
from claudedex.config import ApiConfig
from claudedex.control.commands import Facade, serve_command
from claudedex.errors import (
    ClaudeDexError,
    ConfigError,
    SignerRefused,
    UnknownProposal,
    UserInputError,
)

log = structlog.get_logger(__name__)
Audit = Callable[[str, str, dict[str, Any]], Awaitable[Any]]
MAX_BODY = 64 * 1024  # bytes
MAX_BRACKETS = 64  # a command body is one flat object
BODY_READ_S = 30.0  # a client that has not sent its whole body by then is dropped (408)
_TYPES: dict[str, tuple[type, ...]] = {STRING: (str,), INTEGER: (int,), BOOLEAN: (bool,)}


def _error(status: int, message: str, kind: str,
           headers: dict[str, str] | None = None) -> web.Response:
    """``{"ok": false, "kind": ERROR_CLASS, "error": TEXT}`` with ``status``."""
    return web.json_response({"ok": False, "kind": kind, "error": message}, status=status,
                             headers=headers)


class BodyRefused(UserInputError):
    """The body was too large (413) or too slow to arrive (408)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _status_of(exc: ClaudeDexError) -> int:
    from claudedex.control.views import KernelMissing
    from claudedex.engine import EngineNotRunning
    from claudedex.trade_request import TradeRefused

    if isinstance(exc, BodyRefused):
        return exc.status
    if isinstance(exc, UnknownProposal):
        return 404
    if isinstance(exc, UserInputError):
        return 400
    if isinstance(exc, SignerRefused | TradeRefused):
        return 409
    if isinstance(exc, KernelMissing | EngineNotRunning):
        return 503
    return 500


def tls_context(cfg: ApiConfig) -> ssl.SSLContext | None:
    """An HTTPS context from ``tls_cert``/``tls_key``; None when no certificate is set."""
    if not cfg.tls_cert:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(cfg.tls_cert, cfg.tls_key or None, password=_no_passphrase)
    except ConfigError:
        raise
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"api.tls_cert {cfg.tls_cert!r}: cannot load the certificate "
                          f"({type(exc).__name__}: {exc})") from None
    return ctx


def _no_passphrase() -> bytes:
    """OpenSSL's callback for an encrypted key: without it, OpenSSL asks on the terminal,
    which blocks engine start (and the console) waiting for a passphrase."""
    raise ConfigError("api.tls_key is encrypted: give the engine an unencrypted key file "
                      "(0600), as it cannot ask for a passphrase")


class ApiServer:
    """``await start()`` (binds, returns the URL); ``await close()``.

    ``engine``: the facade the commands run on; ``audit``: appends one audit row
    (actor, action, detail); ``data_dir``: the secrets store (token key) and revocations.
    """

    def __init__(self, engine: Facade, cfg: ApiConfig, *, profile_name: str, data_dir: Path,
                 audit: Audit) -> None:
        self.engine = engine
        self.cfg = cfg
        self.profile_name = profile_name
        self.data_dir = data_dir
        self._audit_append = audit
        self.limits = TokenLimits(cfg.requests_per_min)
        self.revoked = RevocationList(data_dir)
        self.issuer: TokenIssuer | None = None
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._reading: set[asyncio.Task[Any]] = set()  # handlers waiting on a client's body

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        for route in ROUTES:
            app.router.add_route(route.method, route.path, self._handler(route))
        app.router.add_get(OPENAPI_PATH, self._openapi)
        return app

    async def start(self) -> str:
        """Bind and serve; raises SecretsError (store locked), ConfigError (TLS, cannot bind)."""
        key = signing_key(self.data_dir, self.cfg.jwt_key_secret, create=True)
        self.issuer = TokenIssuer(key, self.profile_name)
        ctx = tls_context(self.cfg)
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.cfg.host, self.cfg.port, ssl_context=ctx)
            await site.start()
        except OSError as exc:  # port taken, no such address: one line at `claudedex run`
            await runner.cleanup()
            raise ConfigError(f"api {self.cfg.host}:{self.cfg.port}: cannot listen "
                              f"({exc.strerror or exc})") from None
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        host = f"[{host}]" if ":" in str(host) else str(host)
        self.url = f"{'https' if ctx else 'http'}://{host}:{port}"
        if self.cfg.public:
            log.warning("api_public", url=self.url, tls=ctx is not None)
        log.info("api_listening", url=self.url, tls=ctx is not None)
        return self.url

    async def close(self) -> None:
        """Stop serving: a request still waiting on its client's body is dropped at once
        (a stalled client must not hold up engine stop); commands already running finish."""
        runner, self._runner = self._runner, None
        if runner is not None:
            for task in list(self._reading):
                task.cancel()
            await runner.cleanup()

    async def _openapi(self, request: web.Request) -> web.Response:
        return web.json_response(openapi())

    def _handler(self, route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            return await self._handle(request, route)

        return handle

    async def _authenticate(self, request: web.Request) -> Claims | web.Response:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "no token: send 'Authorization: Bearer <token>'", "NoToken",
                          headers={"WWW-Authenticate": "Bearer"})
        assert self.issuer is not None
        try:
            claims = self.issuer.verify(token.strip())
            revoked = self.revoked.is_revoked(claims.jti)
        except TokenError as exc:
            return _error(401, str(exc), "TokenError",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if revoked:
            return _error(401, "token revoked", "TokenError")
        return claims

    async def _handle(self, request: web.Request, route: Route) -> web.Response:
        claims = await self._authenticate(request)
        if isinstance(claims, web.Response):
            return claims
        wait = await self.limits.take(claims.jti)
        if wait is not None:
            return _error(429, f"over {self.limits.per_minute} requests a minute for this "
                          "token", "RateLimited", headers={"Retry-After": str(wait)})
        if not allowed(claims.role, route.action):
            await self._audit(claims, route, "api_denied", {}, 403)
            return _error(403, f"role {claims.role!r} may not {route.action}", "Forbidden")
        args: dict[str, Any] = {}
        try:
            args = await self._args(request, route)
            result, progress = await self._run(route, args, claims)
        except ClaudeDexError as exc:
            status = _status_of(exc)
            if route.method == "POST":
                await self._audit(claims, route, f"api_{route.action}", args, status,
                                  error=str(exc))
            return _error(status, str(exc), type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - a bug: the client gets 500, the log the trace
            log.exception("api_command_failed", action=route.action)
            if route.method == "POST":
                await self._audit(claims, route, f"api_{route.action}", args, 500,
                                  error=type(exc).__name__)
            return _error(500, f"internal error ({type(exc).__name__})", "InternalError")
        if route.method == "POST":
            await self._audit(claims, route, f"api_{route.action}", args, 200)
        body: dict[str, Any] = {"ok": True, "result": result}
        if progress:
            body["progress"] = progress
        return web.json_response(body, dumps=_dumps)

    async def _args(self, request: web.Request, route: Route) -> dict[str, Any]:
        args: dict[str, Any] = {k: request.query[k] for k in route.query if k in request.query}
        args.update(request.match_info)
        for value in args.values():
            _check_text(value)
        if route.method != "POST":
            return args
        body: Any = {}
        if request.can_read_body:
            raw = await self._read_body(request)
            if raw.count(b"[") + raw.count(b"{") > MAX_BRACKETS:
                # json's C scanner recurses per level: deep nesting can overflow the C
                # stack (a crash, not an exception), so such a body never reaches it
                raise UserInputError("the request body is nested too deeply")
            try:
                body = json.loads(raw)
            except (ValueError, RecursionError):
                raise UserInputError("the request body is not JSON") from None
        if not isinstance(body, dict):
            raise UserInputError("the request body must be a JSON object")
        for name, value in body.items():
            _check_text(value)
            kind = route.body.get(name)
            if kind is None:
                raise UserInputError(f"unknown field {str(name)[:64]!r} for {route.path}")
            if not isinstance(value, _TYPES[kind]) or (kind == INTEGER
                                                        and isinstance(value, bool)):
                raise UserInputError(f"field {name!r} must be a {kind}")
        missing = [name for name in route.required if name not in body]
        if missing:
            raise UserInputError(f"missing field {missing[0]!r} for {route.path}")
        args.update(body)
        return args

    async def _read_body(self, request: web.Request) -> bytes:
        """The raw body: at most MAX_BODY bytes (else 413), within BODY_READ_S (else 408)."""
        task = asyncio.current_task()
        assert task is not None
        self._reading.add(task)
        try:
            async with asyncio.timeout(BODY_READ_S):
                return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise BodyRefused(f"the request body is over {MAX_BODY} bytes", 413) from None
        except TimeoutError:
            raise BodyRefused(f"the request body did not arrive within {BODY_READ_S:g} s",
                              408) from None
        finally:
            self._reading.discard(task)

    async def _run(self, route: Route, args: dict[str, Any],
                   claims: Claims) -> tuple[Any, list[str]]:
        if route.action == "token":
            assert self.issuer is not None
            token, issued = self.issuer.issue(str(args["role"]), int(args["ttl_s"]))
            return {"token": token, "jti": issued.jti, "role": issued.role,
                    "exp": issued.exp}, []
        by = f"api:{claims.role}:{claims.jti}"
        if route.command == "trade":
            command_args: dict[str, Any] = {"request": {**args, "by": by}}
        else:
            command_args = {**args, "by": by}
        progress: list[str] = []
        result = await serve_command(self.engine, route.command, command_args, progress.append)
        return result, progress

    async def _audit(self, claims: Claims, route: Route, action: str, args: dict[str, Any],
                     status: int, error: str = "") -> None:
        detail: dict[str, Any] = {"jti": claims.jti, "role": claims.role,
                                  "route": f"{route.method} {route.path}", "status": status,
                                  "args": {k: v for k, v in args.items() if k != "by"}}
        if error:
            detail["error"] = error
        try:
            await self._audit_append(f"api:{claims.role}", action, detail)
        except Exception as exc:  # noqa: BLE001 - the command's outcome stands; say so loudly
            log.error("api_audit_failed", action=action, jti=claims.jti,
                      error=f"{type(exc).__name__}: {exc}")


def _check_text(value: Any) -> None:
    """Refuse a string that is not valid Unicode text (a lone surrogate from a JSON
    ``\\ud800`` escape): it cannot be logged, audited or stored as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UserInputError("the request holds a string that is not valid Unicode "
                                 "(a lone surrogate)") from None


def _dumps(obj: Any) -> str:
    return json.dumps(obj, default=str)
