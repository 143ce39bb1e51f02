"""The engine's side of the control channel: a Unix socket, mode 0600, in the data dir.

Why a socket and not the database: commands need an answer (a refused trade says why) and
progress (each order state), and only the process holding the writer lock may act on them.
The server is a thin transport: each request is handed to a handler (the engine facade's
command API) and its typed error becomes ``{"ok": false, "kind": ..., "error": ...}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

from claudedex.control.channel import MAX_LINE
from claudedex.errors import ClaudeDexError

log = structlog.get_logger(__name__)
REQUEST_TIMEOUT_S = 10.0  # a client that connects must send its request line within this
MAX_CLIENTS = 64
MAX_BRACKETS = 256  # a command is a flat object; far more nesting is an attack
Handler = Callable[[str, dict[str, Any], Callable[[str], None]], Awaitable[Any]]


class ControlServer:
    """``await start()``; ``await close()`` stops accepting and waits for open requests."""

    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self.handler = handler
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()  # those running a command

    async def start(self) -> None:
        """Raises ClaudeDexError when something that is not a socket holds the path."""
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_socket()):
            raise ClaudeDexError(f"{self.path} exists and is not a control socket: "
                                 "remove it and try again")
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a dead holder's socket: the writer lock says it is gone
        old = os.umask(0o177)  # created 0600: no window in which others may connect
        try:
            self._server = await asyncio.start_unix_server(self._client, path=str(self.path),
                                                           limit=MAX_LINE)
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        log.info("control_listening", socket=str(self.path))

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for idle in self._tasks - self._busy:  # connected, no command yet: not worth waiting
            idle.cancel()
        if self._tasks:  # let commands already handed to us finish (a trade in flight)
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._tasks) >= MAX_CLIENTS:
            log.warning("control_client_refused", clients=len(self._tasks))
            writer.close()
            return
        self._tasks.add(task)
        try:
            await self._serve(reader, writer, task)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
            log.warning("control_client_lost", error=repr(exc))
        finally:
            self._tasks.discard(task)
            self._busy.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     task: asyncio.Task[None]) -> None:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            line = await reader.readline()
        if not line:
            return
        self._busy.add(task)

        def send(obj: dict[str, Any]) -> None:
            if not writer.is_closing():
                writer.write(json.dumps(obj, default=str).encode() + b"\n")

        try:
            if line.count(b"[") + line.count(b"{") > MAX_BRACKETS:
                # json's C scanner recurses per level: deep nesting can overflow the C stack
                # (a segfault, not a RecursionError), so it never reaches the parser
                raise ValueError("too deeply nested")
            request = json.loads(line)
            cmd, args = str(request["cmd"]), dict(request.get("args") or {})
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            send({"ok": False, "kind": "UserInputError", "user_input": True,
                  "error": f"bad request: {type(exc).__name__}"})
            await writer.drain()
            return
        try:
            result = await self.handler(cmd, args, lambda text: send({"progress": text}))
            send({"ok": True, "result": result})
        except ClaudeDexError as exc:
            send({"ok": False, "kind": type(exc).__name__, "error": str(exc),
                  "user_input": _is_user_input(exc)})
        except Exception as exc:  # noqa: BLE001 - a bug must answer the client, then be logged
            log.exception("control_command_failed", cmd=cmd)
            send({"ok": False, "kind": "InternalError", "error": f"{type(exc).__name__}: {exc}"})
        await writer.drain()


def _is_user_input(exc: BaseException) -> bool:
    from claudedex.errors import UserInputError

    return isinstance(exc, UserInputError)
