"""The two-level cache on a real Redis: answers shared between processes through L2, and
Redis stopped mid-run costs only the L2 hits (breaker, one warning, L1 carries on)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from claudedex.apis.breaker import CircuitBreaker
from claudedex.apis.cache import TwoLevelCache, make_cache
from claudedex.apis.testing.redis_process import RedisProcess
from claudedex.storage.cache import JsonCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    try:
        server = RedisProcess(tmp_path)
    except FileNotFoundError as exc:
        pytest.fail(f"{exc} (scripts/ensure_services.sh)", pytrace=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_second_process_gets_l2_hits(redis_url: str) -> None:
    writer = make_cache(redis_url, namespace="t-share")
    reader = make_cache(redis_url, namespace="t-share")  # another process: empty L1
    try:
        assert await reader.get("goplus:1:0xa") is None
        await writer.set("goplus:1:0xa", {"code": 1, "result": {}}, 60)
        assert await reader.get("goplus:1:0xa") == {"code": 1, "result": {}}
        assert await reader.get("goplus:1:0xa") == {"code": 1, "result": {}}
    finally:
        await writer.close()
        await reader.close()
    assert (reader.stats.misses, reader.stats.hits_l2, reader.stats.hits_l1) == (1, 1, 1)
    assert reader.stats.l2_up and reader.stats.l2_errors == 0


async def test_l1_off_sends_every_lookup_to_redis(redis_url: str) -> None:
    cache = make_cache(redis_url, l1_ttl_s=0, namespace="t-l1off")
    try:
        await cache.set("k", [1, 2], 60)
        for _ in range(3):
            assert await cache.get("k") == [1, 2]
    finally:
        await cache.close()
    assert (cache.stats.hits_l1, cache.stats.hits_l2) == (0, 3)


async def test_redis_stopped_degrades_to_l1_then_recovers(own_redis: RedisProcess) -> None:
    clock = Clock()
    cache = TwoLevelCache(JsonCache(own_redis.url, namespace="t-down", timeout_s=0.5),
                          l1_ttl_s=30, clock=clock,
                          breaker=CircuitBreaker("redis", failure_threshold=2,
                                                 reset_timeout_s=30, clock=clock))
    try:
        await cache.set("held", {"v": 1}, 600)
        own_redis.stop()
        with capture_logs() as logs:
            assert await cache.get("held") == {"v": 1}  # L1 still answers
            await cache.set("new", {"v": 2}, 600)  # Redis refused: kept in L1
            assert await cache.get("absent") is None  # second failure opens the breaker
            assert await cache.get("absent2") is None  # skipped: no wait on a dead Redis
            assert await cache.get("new") == {"v": 2}
        down = [e for e in logs if e["event"] == "cache.l2_down"]
        assert len(down) == 1 and down[0]["log_level"] == "warning"
        assert not cache.stats.l2_up and cache.stats.l2_errors == 3
        assert cache.stats.misses == 2

        own_redis.start()
        clock.now += 31  # the breaker lets one trial through
        assert await cache.get("unknown") is None
        assert cache.stats.l2_up
        await cache.set("after", {"v": 3}, 600)
        other = make_cache(own_redis.url, namespace="t-down")
        try:
            assert await other.get("after") == {"v": 3}
        finally:
            await other.close()
    finally:
        await cache.close()
