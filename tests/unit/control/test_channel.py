"""The control channel: a 0600 Unix socket, typed errors back, the writer lock exclusive."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from claudedex.control.channel import MAX_SUN_PATH, socket_path
from claudedex.control.client import NoEngine, RemoteError, RemoteUserInputError, request
from claudedex.control.lock import ProfileBusy, ProfileLock
from claudedex.control.server import ControlServer
from claudedex.errors import EngineHalted, UserInputError


async def handler(cmd: str, args: dict[str, Any], progress: Any) -> Any:
    if cmd == "echo":
        progress("working")
        return {"got": args}
    if cmd == "halted":
        raise EngineHalted("halted for the test")
    if cmd == "bad":
        raise UserInputError("bad input for the test")
    raise RuntimeError("a bug")


async def test_socket_is_private_and_errors_keep_their_kind(tmp_path: Path) -> None:
    server = ControlServer(socket_path(tmp_path), handler)
    await server.start()
    try:
        mode = stat.S_IMODE(os.stat(socket_path(tmp_path)).st_mode)
        assert mode == 0o600
        seen: list[str] = []
        assert await request(tmp_path, "echo", {"a": 1}, progress=seen.append) == {
            "got": {"a": 1}}
        assert seen == ["working"]
        with pytest.raises(RemoteError) as refused:
            await request(tmp_path, "halted")
        assert refused.value.kind == "EngineHalted"
        with pytest.raises(RemoteUserInputError):
            await request(tmp_path, "bad")
        with pytest.raises(RemoteError) as bug:
            await request(tmp_path, "crash")
        assert bug.value.kind == "InternalError"
    finally:
        await server.close()
    assert not socket_path(tmp_path).exists()
    with pytest.raises(NoEngine):
        await request(tmp_path, "echo")


async def test_a_malformed_line_is_answered_not_crashed(tmp_path: Path) -> None:
    server = ControlServer(socket_path(tmp_path), handler)
    await server.start()
    try:
        reader, writer = await asyncio.open_unix_connection(str(socket_path(tmp_path)))
        writer.write(b"{not json\n")
        await writer.drain()
        answer = await reader.readline()
        writer.close()
        assert b'"ok": false' in answer and b"bad request" in answer
        assert await request(tmp_path, "echo") == {"got": {}}  # still serving
    finally:
        await server.close()


def test_long_data_dirs_get_a_short_private_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    path = socket_path(deep)
    assert len(os.fsencode(path)) <= MAX_SUN_PATH
    assert path == socket_path(deep)  # client and server agree
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_the_writer_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = ProfileLock(tmp_path), ProfileLock(tmp_path)
    first.acquire()
    with pytest.raises(ProfileBusy):
        second.acquire()
    first.release()
    second.acquire()
    assert second.held
    second.release()


async def test_an_idle_client_never_holds_up_the_engines_stop(tmp_path: Path) -> None:
    """Red-team reproduction: one connection that sent nothing made close() wait forever,
    and a CLI trade that was serving the socket never printed its result."""
    server = ControlServer(socket_path(tmp_path), handler)
    await server.start()
    reader, writer = await asyncio.open_unix_connection(str(socket_path(tmp_path)))
    assert await request(tmp_path, "echo") == {"got": {}}  # the idle one blocks nobody
    async with asyncio.timeout(30):  # a bound for a hang, not a timing assumption
        await server.close()
    assert await reader.read() == b""  # the idle client was dropped
    writer.close()


async def test_hostile_request_lines_get_a_typed_answer(tmp_path: Path) -> None:
    server = ControlServer(socket_path(tmp_path), handler)
    await server.start()
    try:
        for line in (b"[" * 100_000 + b"\n", b'{"cmd": 5}\n'):
            reader, writer = await asyncio.open_unix_connection(str(socket_path(tmp_path)))
            writer.write(line)
            await writer.drain()
            answer = await reader.readline()
            writer.close()
            assert b'"ok": false' in answer, line[:20]
        assert await request(tmp_path, "echo") == {"got": {}}
    finally:
        await server.close()


async def test_something_that_is_not_a_socket_at_the_path_is_refused(tmp_path: Path) -> None:
    from claudedex.errors import ClaudeDexError

    socket_path(tmp_path).mkdir()
    with pytest.raises(ClaudeDexError, match="not a control socket"):
        await ControlServer(socket_path(tmp_path), handler).start()
    with pytest.raises(NoEngine):  # and a client is not fooled by it
        await request(tmp_path, "echo")
