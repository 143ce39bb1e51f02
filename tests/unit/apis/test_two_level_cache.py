"""The cache's first level on its own: TTLs (the shorter of the entry's and L1's), no
stored ``None``, get_or_fetch, and the hit/miss counters the metrics export."""

from __future__ import annotations

from claudedex.apis.cache import TwoLevelCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_entries_expire_at_the_shorter_ttl() -> None:
    clock = Clock()
    cache = TwoLevelCache(l1_ttl_s=60, clock=clock)
    await cache.set("short", "a", 10)
    await cache.set("long", "b", 600)
    clock.now = 11
    assert await cache.get("short") is None
    assert await cache.get("long") == "b"
    clock.now = 61
    assert await cache.get("long") is None  # L1 keeps nothing longer than l1_ttl_s
    assert (cache.stats.hits_l1, cache.stats.misses) == (1, 2)
    assert not cache.stats.l2_configured and not cache.stats.l2_up


async def test_get_or_fetch_fetches_once_and_never_stores_none() -> None:
    cache = TwoLevelCache()
    calls: list[str] = []

    async def fetch() -> dict[str, int]:
        calls.append("x")
        return {"n": len(calls)}

    async def nothing() -> None:
        calls.append("none")

    assert await cache.get_or_fetch("k", 60, fetch) == {"n": 1}
    assert await cache.get_or_fetch("k", 60, fetch) == {"n": 1}
    assert await cache.get_or_fetch("z", 60, nothing) is None
    assert await cache.get_or_fetch("z", 60, nothing) is None
    assert calls == ["x", "none", "none"]


async def test_l1_off_keeps_nothing_in_process() -> None:
    cache = TwoLevelCache(l1_ttl_s=0)
    await cache.set("k", 1, 60)
    assert await cache.get("k") is None and cache.stats.misses == 1
