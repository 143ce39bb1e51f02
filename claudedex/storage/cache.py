"""A small Redis cache for external API responses (JSON values with a TTL).

Why: DexScreener/GoPlus/honeypot.is rate-limit us; several components ask about the same
token within seconds. Values are JSON so a cache hit is data, never code (no pickle).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from claudedex.errors import StorageError


class JsonCache:
    """``get``/``set`` JSON values under ``<namespace>:<key>`` with a TTL in seconds."""

    def __init__(self, url: str, *, namespace: str = "claudedex",
                 timeout_s: float = 1.0) -> None:
        # short timeouts: a cache that answers slower than the API it saves is no cache
        self._client: aioredis.Redis = aioredis.Redis.from_url(
            url, decode_responses=True, socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s)
        self._ns = namespace

    def _key(self, key: str) -> str:
        return f"{self._ns}:{key}"

    async def get(self, key: str) -> Any | None:
        """The cached value, or ``None`` when absent or expired."""
        try:
            raw = await self._client.get(self._key(key))
        except RedisError as exc:
            raise StorageError(f"redis get failed: {exc}") from exc
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any, ttl_s: float) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        payload = json.dumps(value, separators=(",", ":"), sort_keys=True)
        try:
            await self._client.set(self._key(key), payload, px=max(1, int(ttl_s * 1000)))
        except RedisError as exc:
            raise StorageError(f"redis set failed: {exc}") from exc

    async def delete(self, key: str) -> None:
        try:
            await self._client.delete(self._key(key))
        except RedisError as exc:
            raise StorageError(f"redis delete failed: {exc}") from exc

    async def get_or_fetch(
        self, key: str, ttl_s: float, fetch: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The cached value, else ``await fetch()`` stored for ``ttl_s`` seconds."""
        cached = await self.get(key)
        if cached is not None:
            return cached
        value = await fetch()
        if value is not None:
            await self.set(key, value, ttl_s)
        return value

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except RedisError as exc:
            raise StorageError(f"redis ping failed: {exc}") from exc

    async def close(self) -> None:
        await self._client.aclose()
