"""A small TTL cache for API answers: in memory, or Redis when a URL is configured.

Why cache: GoPlus and honeypot.is answers for a token change slowly, and re-assessing a held
token on every warning must not hammer (or wait for) them.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol


class JsonCache(Protocol):
    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl_s: int) -> None: ...


class MemoryCache:
    """Process-local TTL cache."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, Any]] = {}

    async def get(self, key: str) -> Any | None:
        hit = self._data.get(key)
        if hit is None:
            return None
        expires, value = hit
        if time.monotonic() >= expires:
            self._data.pop(key, None)
            return None
        return value

    async def set(self, key: str, value: Any, ttl_s: int) -> None:
        self._data[key] = (time.monotonic() + ttl_s, value)


class RedisCache:
    """JSON values in Redis with an expiry (redis.asyncio client)."""

    def __init__(self, url: str, prefix: str = "claudedex:api:") -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        self.prefix = prefix

    async def get(self, key: str) -> Any | None:
        raw = await self._redis.get(self.prefix + key)
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any, ttl_s: int) -> None:
        await self._redis.set(self.prefix + key, json.dumps(value), ex=ttl_s)

    async def close(self) -> None:
        await self._redis.aclose()


def make_cache(redis_url: str = "") -> JsonCache:
    return RedisCache(redis_url) if redis_url else MemoryCache()
