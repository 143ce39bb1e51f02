"""One way to open an ``AsyncWeb3`` connection, with web3.py's cancellation bug fixed.

Why: web3.py's ``AsyncHTTPProvider`` takes a process-wide ``threading.Lock`` on every
request by acquiring it in a thread pool (``web3._utils.async_caching.async_lock``). When a
request is cancelled while it waits (a timeout, an engine stop), the pool thread still gets
the lock afterwards and nobody releases it: from then on every HTTP request of every
provider in the process hangs, and the process cannot exit (web3.py issue #3867, open for
web3 8.0). For a trading engine that is a frozen order flow. We install a corrected lock
helper before any provider is built; drop this once web3 ships the fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_installed = False


@contextlib.asynccontextmanager
async def _cancel_safe_lock(thread_pool: ThreadPoolExecutor,
                            lock: threading.Lock) -> AsyncIterator[None]:
    """Acquire ``lock`` without blocking the loop; a cancelled wait never leaks it."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(thread_pool, lock.acquire)
    try:
        await asyncio.shield(future)
    except asyncio.CancelledError:
        # The pool thread may still get the lock later: hand it straight back then.
        future.add_done_callback(lambda done: lock.release()
                                 if not done.cancelled() and done.exception() is None
                                 else None)
        raise
    try:
        yield
    finally:
        lock.release()


def install_web3_lock_fix() -> None:
    """Replace web3's lock helper where its HTTP session manager looks it up (idempotent)."""
    global _installed
    if _installed:
        return
    from web3._utils import http_session_manager

    # same signature, cancel-safe; the name is looked up per call, so this takes effect
    http_session_manager.async_lock = _cancel_safe_lock  # type: ignore[attr-defined]  # private helper, patched on purpose
    _installed = True


def _keep_alive_sessions() -> Any:
    """web3's HTTP session manager, minus a new TCP connection and a thread hop per request.

    web3.py opens its aiohttp session with ``force_close=True`` (one TCP connection per
    request) and takes its session-cache lock through a thread pool on every request. On
    the order path that was ~8 connects and 8 thread hops per order. This manager keeps
    connections alive and returns an already cached session without the lock; the first
    request of a loop still goes through web3's own (locked) path.
    """
    from aiohttp import ClientSession, TCPConnector
    from web3._utils.caching.caching_utils import generate_cache_key
    from web3._utils.http_session_manager import HTTPSessionManager

    class KeepAliveSessions(HTTPSessionManager):
        async def async_cache_and_return_session(
            self, endpoint_uri: Any, session: Any = None, request_timeout: Any = None,
        ) -> Any:
            key = generate_cache_key(f"{id(asyncio.get_running_loop())}:{endpoint_uri}")
            cached = self.session_cache.get_cache_entry(key)
            if cached is not None and not cached.closed and not cached._loop.is_closed():
                return cached
            if session is None and cached is None:
                session = ClientSession(raise_for_status=True, connector=TCPConnector(
                    limit=32, keepalive_timeout=15, enable_cleanup_closed=True))
            return await super().async_cache_and_return_session(endpoint_uri, session,
                                                                request_timeout)

    return KeepAliveSessions()


def async_web3(url: str, *, timeout_s: float = 10.0) -> Any:
    """An ``AsyncWeb3`` over HTTP with a request timeout, safe to cancel."""
    from web3 import AsyncHTTPProvider, AsyncWeb3
    from web3.types import RPCEndpoint

    install_web3_lock_fix()
    # web3's validation middleware asks eth_chainId before every eth_call and gas estimate:
    # one extra round trip each. A chain never changes its id (the engine checks it against
    # the profile at start), so that one answer is cached for the connection's life.
    provider = AsyncHTTPProvider(url, request_kwargs={"timeout": timeout_s},
                                 cache_allowed_requests=True,
                                 cacheable_requests={RPCEndpoint("eth_chainId")})
    provider._request_session_manager = _keep_alive_sessions()
    return AsyncWeb3(provider)
