"""A request cancelled while it waits for web3's session lock must not leak the lock
(web3.py #3867): after the cancellation the next request still gets through."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from claudedex.rpc.connect import _cancel_safe_lock, install_web3_lock_fix


class WatchedLock:
    """A lock that says when a thread has started waiting for it (no sleeps in the test)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waiting = threading.Event()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self.waiting.set()
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()


async def test_cancel_safe_lock_hands_the_lock_back() -> None:
    """Holder takes the lock; a waiter blocked in the pool is cancelled; a third party then
    gets the lock (the waiter's late acquire is handed straight back)."""
    lock = WatchedLock()
    with ThreadPoolExecutor(max_workers=4) as pool:
        holding, release = asyncio.Event(), asyncio.Event()

        async def holder() -> None:
            async with _cancel_safe_lock(pool, lock):  # type: ignore[arg-type]
                holding.set()
                await release.wait()

        async def waiter() -> None:
            async with _cancel_safe_lock(pool, lock):  # type: ignore[arg-type]
                raise AssertionError("the cancelled waiter must never run")

        held = asyncio.create_task(holder())
        await holding.wait()
        lock.waiting.clear()
        waiting = asyncio.create_task(waiter())
        assert await asyncio.to_thread(lock.waiting.wait, 30)  # its pool thread is blocked
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        release.set()
        await held
        got = await asyncio.to_thread(lock.acquire, True, 30.0)
        assert got, "the lock leaked to the cancelled waiter"
        lock.release()


def test_fix_is_installed_where_web3_looks_it_up() -> None:
    from web3._utils import http_session_manager

    install_web3_lock_fix()
    assert http_session_manager.async_lock is _cancel_safe_lock


async def test_many_cancelled_requests_then_a_request_completes() -> None:
    """On a real (local) HTTP JSON-RPC peer: cancel requests mid-flight, then one succeeds."""
    from aiohttp import web

    from claudedex.rpc import async_web3

    async def rpc(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(0.01)
        return web.json_response({"jsonrpc": "2.0", "id": body["id"], "result": "0x7a69"})

    app = web.Application()
    app.router.add_post("/", rpc)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    w3 = async_web3(f"http://127.0.0.1:{port}", timeout_s=5)
    try:
        for _ in range(30):
            tasks = [asyncio.create_task(w3.eth.chain_id) for _ in range(8)]
            await asyncio.sleep(0.002)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert await asyncio.wait_for(w3.eth.chain_id, 10) == 31337
    finally:
        await w3.provider.disconnect()
        await runner.cleanup()
