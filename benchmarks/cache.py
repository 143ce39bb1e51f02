"""What the two-level cache saves on an advisory lookup: L1 hit, L2 (Redis) hit, and a miss
answered by a local GoPlus-shaped server, plus a lookup while Redis is down.

Usage: python benchmarks/cache.py [--lookups 2000]
Starts a throwaway redis-server (like the tests) and the local API server on loopback.
Prints one JSON object: median and p95 microseconds per lookup for each path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claudedex.apis.cache import TwoLevelCache, make_cache  # noqa: E402
from claudedex.apis.goplus import GoPlusClient  # noqa: E402
from claudedex.apis.http import JsonHttpClient  # noqa: E402
from claudedex.apis.testing.redis_process import RedisProcess  # noqa: E402
from claudedex.apis.testing.servers import ApiServer  # noqa: E402

TOKEN = "0x" + "ab" * 20


async def timed(n: int, call: Callable[[int], Awaitable[Any]]) -> dict[str, float]:
    spent: list[float] = []
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        spent.append((time.perf_counter() - start) * 1e6)
    spent.sort()
    return {"median_us": round(statistics.median(spent), 1),
            "p95_us": round(spent[int(len(spent) * 0.95) - 1], 1)}


async def main(lookups: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="claudedex-bench-redis-") as root:
        redis = RedisProcess(Path(root))
        redis.start()
        try:
            async with ApiServer() as api:
                api.data.goplus[TOKEN] = {"is_honeypot": "0", "buy_tax": "0", "sell_tax": "0"}
                http = JsonHttpClient(api.url, name="goplus")
                l1_cache = TwoLevelCache()
                l2_cache = make_cache(redis.url, l1_ttl_s=0, namespace="bench")
                try:
                    l1 = GoPlusClient(http, l1_cache)
                    l2 = GoPlusClient(http, l2_cache)
                    uncached = GoPlusClient(http, TwoLevelCache(l1_ttl_s=0))
                    await l1.token_security(1, TOKEN)
                    await l2.token_security(1, TOKEN)
                    out = {
                        "lookups": lookups,
                        "l1_hit": await timed(lookups, lambda _i: l1.token_security(1, TOKEN)),
                        "l2_hit": await timed(lookups, lambda _i: l2.token_security(1, TOKEN)),
                        "miss_local_http": await timed(
                            lookups, lambda _i: uncached.token_security(1, TOKEN)),
                    }
                    redis.stop()
                    down = TwoLevelCache(l2_cache.l2, l1_ttl_s=0)
                    out["redis_down_lookup"] = await timed(
                        max(1, lookups // 10), lambda i: down.get(f"k{i}"))
                    out["redis_down_breaker"] = down.breaker.state.value  # after 2 failures
                finally:
                    await http.close()
                    await l2_cache.close()
        finally:
            redis.stop()
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=2000)
    print(json.dumps(asyncio.run(main(parser.parse_args().lookups))))
