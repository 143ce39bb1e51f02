"""The Redis JSON cache against a real redis-server."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from claudedex.storage.cache import JsonCache

pytestmark = pytest.mark.redis


async def test_set_get_ttl_and_fetch(redis_url: str) -> None:
    cache = JsonCache(redis_url, namespace=f"t{uuid.uuid4().hex[:8]}")
    try:
        assert await cache.ping()
        assert await cache.get("dexscreener:0xabc") is None
        value = {"pairs": [{"priceUsd": "0.000001234", "liquidity": {"usd": 1234.5}}]}
        await cache.set("dexscreener:0xabc", value, ttl_s=30)
        assert await cache.get("dexscreener:0xabc") == value

        await cache.set("short", [1, 2], ttl_s=0.05)
        await asyncio.sleep(0.2)
        assert await cache.get("short") is None  # expired

        calls: list[int] = []

        async def fetch() -> dict[str, int]:
            calls.append(1)
            return {"n": len(calls)}

        assert await cache.get_or_fetch("goplus:0x1", 30, fetch) == {"n": 1}
        assert await cache.get_or_fetch("goplus:0x1", 30, fetch) == {"n": 1}
        assert len(calls) == 1
        await cache.delete("goplus:0x1")
        assert await cache.get("goplus:0x1") is None
    finally:
        await cache.close()
