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


def async_web3(url: str, *, timeout_s: float = 10.0) -> Any:
    """An ``AsyncWeb3`` over HTTP with a request timeout, safe to cancel."""
    from web3 import AsyncHTTPProvider, AsyncWeb3

    install_web3_lock_fix()
    return AsyncWeb3(AsyncHTTPProvider(url, request_kwargs={"timeout": timeout_s}))
