"""RPC errors are counted on the engine's real connection (``async_web3``) against a local
JSON-RPC server: error objects and dead endpoints count, reverts (answers) do not."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from aiohttp import web

from claudedex.observability.rpc_errors import count_rpc_errors, is_evm_failure
from claudedex.rpc import async_web3
from claudedex.rpc.reader import ChainReader


async def rpc(request: web.Request) -> web.Response:
    body = await request.json()
    method, rid = body["method"], body["id"]
    if method == "eth_call":
        error: dict[str, Any] = {"code": 3, "message": "execution reverted", "data": "0x"}
        return web.json_response({"jsonrpc": "2.0", "id": rid, "error": error})
    if method == "eth_getBalance":
        error = {"code": -32005, "message": "rate limit exceeded"}
        return web.json_response({"jsonrpc": "2.0", "id": rid, "error": error})
    return web.json_response({"jsonrpc": "2.0", "id": rid, "result": "0x10"})


async def serve() -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_post("/", rpc)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


async def test_errors_count_and_reverts_do_not() -> None:
    runner, port = await serve()
    seen: list[tuple[str, str]] = []
    w3 = async_web3(f"http://127.0.0.1:{port}", timeout_s=5)
    count_rpc_errors(w3, lambda method, kind: seen.append((method, kind)))
    try:
        assert await w3.eth.block_number == 16
        reader = ChainReader(w3)
        assert await reader.call("0x" + "11" * 20, b"\x01\x02\x03\x04") is None  # a revert
        with pytest.raises(Exception):  # noqa: B017 - web3 raises its own error type
            await w3.eth.get_balance("0x" + "22" * 20)
        assert seen == [("eth_getBalance", "rpc")]
        await runner.cleanup()  # the node goes away
        with pytest.raises(Exception):  # noqa: B017 - connection refused, any client error
            await w3.eth.get_block_number()
        assert seen[-1] == ("eth_blockNumber", "transport")
    finally:
        await w3.provider.disconnect()
        await runner.cleanup()


def test_evm_failures_are_answers() -> None:
    assert is_evm_failure({"code": 3, "message": "x"})
    assert is_evm_failure({"code": -32000, "message": "Out of gas: gas required exceeds"})
    assert not is_evm_failure({"code": -32005, "message": "limit exceeded"})
    assert not is_evm_failure("garbage")
