"""A request cancelled while it waits for web3's session lock must not leak the lock
(web3.py #3867): after the cancellation the next request still gets through."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from web3._utils.async_caching import async_lock as web3_async_lock

from claudedex.rpc.connect import _cancel_safe_lock, install_web3_lock_fix


async def cancel_a_waiter(helper: object, pool: ThreadPoolExecutor,
                          lock: threading.Lock) -> bool:
    """Holder takes the lock; a waiter is cancelled; can a third party get it after?"""
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with helper(pool, lock):  # type: ignore[operator]
            holding.set()
            await release.wait()

    async def waiter() -> None:
        async with helper(pool, lock):  # type: ignore[operator]
            await asyncio.sleep(0)

    held = asyncio.create_task(holder())
    await holding.wait()
    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0.05)  # the waiter's pool thread is blocked in lock.acquire
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    release.set()
    await held
    await asyncio.sleep(0.05)  # the orphaned acquire (if any) has completed by now
    got = await asyncio.to_thread(lock.acquire, True, 1.0)
    if got:
        lock.release()
    return got


async def test_web3_helper_leaks_the_lock_when_cancelled() -> None:
    """The upstream behaviour this module works around (fails once web3 fixes it)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        lock = threading.Lock()
        assert not await cancel_a_waiter(web3_async_lock, pool, lock)
        lock.release()  # free the leaked lock so the pool can shut down


async def test_cancel_safe_lock_hands_the_lock_back() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert await cancel_a_waiter(_cancel_safe_lock, pool, threading.Lock())


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
