"""The command side of the control channel: hand one command to the running engine.

Why the errors are rebuilt here: a face (the CLI) maps error classes to exit codes, so a
refusal from the engine must arrive as the same kind of error as a local one would be.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claudedex.control.channel import MAX_LINE, socket_path
from claudedex.errors import ClaudeDexError, UserInputError


class NoEngine(ClaudeDexError):
    """No engine answers on the profile's control socket."""


class RemoteError(ClaudeDexError):
    """The engine refused or failed a command; ``kind`` is the engine-side error class."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class RemoteUserInputError(UserInputError):
    """The engine judged the command's input wrong (exit 2 like a local one)."""


async def request(data_dir: Path, cmd: str, args: dict[str, Any] | None = None, *,
                  progress: Callable[[str], None] | None = None,
                  connect_timeout_s: float = 2.0) -> Any:
    """Send ``cmd`` to the engine serving ``data_dir``; return its result.

    Raises :class:`NoEngine` when nothing listens, :class:`RemoteUserInputError` or
    :class:`RemoteError` when the engine refuses, ``ConnectionError`` when it vanishes
    mid-command (the command's outcome is then unknown: ``claudedex orders`` tells).
    """
    path = socket_path(data_dir)
    try:
        async with asyncio.timeout(connect_timeout_s):
            reader, writer = await asyncio.open_unix_connection(str(path), limit=MAX_LINE)
    except (OSError, TimeoutError) as exc:  # absent, refused, not ours (EACCES), not a socket
        raise NoEngine(f"no engine on {path} ({type(exc).__name__})") from None
    try:
        writer.write(json.dumps({"cmd": cmd, "args": args or {}}).encode() + b"\n")
        await writer.drain()
        while True:
            line = await reader.readline()
            if not line:
                raise ConnectionError("the engine closed the control channel mid-command")
            answer = json.loads(line)
            if "progress" in answer:
                if progress is not None:
                    progress(str(answer["progress"]))
                continue
            if answer.get("ok"):
                return answer.get("result")
            kind, message = str(answer.get("kind", "")), str(answer.get("error", ""))
            if answer.get("user_input"):
                raise RemoteUserInputError(message)
            raise RemoteError(kind, message)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass
