"""A two-level cache for slow outside answers: L1 in process, L2 in Redis when configured.

Why two levels: GoPlus, honeypot.is and TokenSniffer answers for a token change slowly and
cost a rate-limited HTTP call; token metadata read at a given block never changes. L1 (a
``cachetools.TTLCache``) answers repeat questions inside one process for free; L2 (Redis,
:class:`claudedex.storage.cache.JsonCache`) shares them between the console, one-shot
``claudedex trade`` runs and restarts. Redis is an optimisation, never a dependency: when it
fails, a circuit breaker stops asking it, one warning is logged, and the cache carries on
with L1 only until a trial call succeeds again. Values are JSON (data, never code).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from cachetools import TTLCache

from claudedex.apis.breaker import BreakerState, CircuitBreaker
from claudedex.errors import StorageError

log = structlog.get_logger(__name__)
L1_MAX_ITEMS = 4096
L1_MAX_TTL_S = 300.0


class JsonCache(Protocol):
    """What the API clients need: JSON values under string keys with a TTL in seconds."""

    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl_s: int) -> None: ...


class RemoteCache(Protocol):
    """L2: :class:`claudedex.storage.cache.JsonCache` (raises StorageError when down)."""

    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl_s: float) -> None: ...

    async def close(self) -> None: ...


@dataclass
class CacheStats:
    """Plain counters (the metrics module exports them as ``claudedex_cache_*``)."""

    hits_l1: int = 0
    hits_l2: int = 0
    misses: int = 0
    l2_errors: int = 0  # failed Redis calls, and calls skipped while its breaker was open
    l2_configured: bool = False
    l2_up: bool = False


class TwoLevelCache:
    """L1 ``TTLCache`` (at most ``l1_ttl_s`` per entry; 0 turns L1 off) in front of an
    optional L2. ``get`` returns ``None`` on a miss; ``set`` stores in both levels.

    Redis errors never leave this class: they count in ``stats.l2_errors``, trip the
    breaker (``breaker``; default: open after 2 failures, retry after 30 s) and log one
    ``cache.l2_down`` warning per outage.
    """

    def __init__(self, l2: RemoteCache | None = None, *, l1_ttl_s: float = L1_MAX_TTL_S,
                 l1_max_items: int = L1_MAX_ITEMS, breaker: CircuitBreaker | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.l2 = l2
        self.l1_ttl_s = max(0.0, float(l1_ttl_s))
        self._clock = clock
        # entries hold their own expiry too: an entry set with a shorter TTL than L1's
        self._l1: TTLCache[str, tuple[float, Any]] | None = (
            TTLCache(maxsize=l1_max_items, ttl=self.l1_ttl_s, timer=clock)
            if self.l1_ttl_s > 0 else None)
        self.breaker = breaker or CircuitBreaker("redis-cache", failure_threshold=2,
                                                 reset_timeout_s=30.0, clock=clock)
        self.stats = CacheStats(l2_configured=l2 is not None, l2_up=l2 is not None)

    def _l1_get(self, key: str) -> Any | None:
        if self._l1 is None:
            return None
        entry = self._l1.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self._clock() >= expires:
            self._l1.pop(key, None)
            return None
        return value

    def _l1_set(self, key: str, value: Any, ttl_s: float) -> None:
        if self._l1 is not None and ttl_s > 0:
            self._l1[key] = (self._clock() + min(ttl_s, self.l1_ttl_s), value)

    async def get(self, key: str) -> Any | None:
        """The cached JSON value, or ``None`` (absent, expired, or L2 unreachable)."""
        value = self._l1_get(key)
        if value is not None:
            self.stats.hits_l1 += 1
            return value
        if self.l2 is not None and self._l2_allowed():
            try:
                value = await self.l2.get(key)
            except (StorageError, OSError, TimeoutError) as exc:
                self._l2_failed("get", exc)
            else:
                self._l2_ok()
                if value is not None:
                    self.stats.hits_l2 += 1
                    self._l1_set(key, value, self.l1_ttl_s)
                    return value
        self.stats.misses += 1
        return None

    async def set(self, key: str, value: Any, ttl_s: float) -> None:
        """Store ``value`` (JSON-serialisable) for ``ttl_s`` seconds in L1 and L2."""
        if value is None or ttl_s <= 0:
            return
        self._l1_set(key, value, ttl_s)
        if self.l2 is not None and self._l2_allowed():
            try:
                await self.l2.set(key, value, ttl_s)
            except (StorageError, OSError, TimeoutError) as exc:
                self._l2_failed("set", exc)
            else:
                self._l2_ok()

    async def get_or_fetch(self, key: str, ttl_s: float,
                           fetch: Callable[[], Awaitable[Any]]) -> Any:
        """The cached value, else ``await fetch()`` stored for ``ttl_s`` (``None`` is not
        stored: the next caller asks again)."""
        cached = await self.get(key)
        if cached is not None:
            return cached
        value = await fetch()
        await self.set(key, value, ttl_s)
        return value

    def _l2_allowed(self) -> bool:
        if self.breaker.allow():
            return True
        self.stats.l2_errors += 1
        return False

    def _l2_ok(self) -> None:
        if not self.stats.l2_up:
            log.info("cache.l2_back", detail="Redis answers again; L2 cache back on")
        self.stats.l2_up = True
        self.breaker.success()

    def _l2_failed(self, op: str, exc: BaseException) -> None:
        self.stats.l2_errors += 1
        self.breaker.failure()
        if self.stats.l2_up and self.breaker.state is not BreakerState.CLOSED:
            log.warning("cache.l2_down", op=op, error=str(exc)[:200],
                        detail="Redis unreachable: caching in process only (L1) until it "
                               "answers again")
            self.stats.l2_up = False

    async def close(self) -> None:
        if self.l2 is not None:
            await self.l2.close()


def make_cache(redis_url: str = "", *, l1_ttl_s: float = L1_MAX_TTL_S,
               namespace: str = "claudedex:api") -> TwoLevelCache:
    """L1 only, or L1 + Redis at ``redis_url`` (keys under ``namespace:``)."""
    if not redis_url:
        return TwoLevelCache(l1_ttl_s=l1_ttl_s)
    from claudedex.storage.cache import JsonCache as RedisJsonCache

    return TwoLevelCache(RedisJsonCache(redis_url, namespace=namespace), l1_ttl_s=l1_ttl_s)

