"""Durable order-journal throughput: acknowledged (committed, fsynced) writes per second.

Usage: python benchmarks/journal.py [--records 20000] [--concurrency 256]
                                    [--backend sqlite|postgresql|both] [--pg-url URL]
Without --pg-url a throwaway PostgreSQL server is started like the test fixture. Prints one
JSON object per backend. Goal: >= 5,000 acknowledged writes/s on SQLite (WAL, synchronous=FULL).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claudedex.shutdown import exit_on_signals  # noqa: E402
from claudedex.storage import Database, OrderJournal  # noqa: E402

GOAL_SQLITE = 5000


def _servers() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "claudedex_test_servers", ROOT / "tests" / "integration" / "servers.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def measure(url: str, records: int, concurrency: int) -> dict[str, Any]:
    db = Database(url)
    await db.open()
    try:
        async with OrderJournal(db) as journal:
            per_worker = records // concurrency

            async def worker(w: int) -> None:
                for k in range(per_worker):
                    state = ("intent", "signed", "sent", "filled")[k % 4]
                    await journal.record(f"b{w}-{k // 4}", state,
                                         {"k": k, "amount_in": 2**256 - 1, "nonce": k})

            await journal.record("warmup", "intent", {})
            start = time.perf_counter()
            await asyncio.gather(*(worker(w) for w in range(concurrency)))
            elapsed = time.perf_counter() - start
            done = per_worker * concurrency
            return {
                "backend": db.dialect,
                "records": done,
                "concurrency": concurrency,
                "seconds": round(elapsed, 3),
                "writes_per_s": round(done / elapsed, 1),
                "commits": journal.commits - 1,
                "avg_batch": round(done / max(1, journal.commits - 1), 1),
            }
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()

    results = []
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="claudedex-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/journal.db"
            result = asyncio.run(measure(url, args.records, args.concurrency))
            result["goal_writes_per_s"] = GOAL_SQLITE
            result["meets_goal"] = result["writes_per_s"] >= GOAL_SQLITE
            results.append(result)
    if args.backend in ("postgresql", "both"):
        server = None
        url = args.pg_url
        if not url:
            server = _servers().start_postgres()
            url = server.url
        try:
            results.append(asyncio.run(measure(url, args.records, args.concurrency)))
        finally:
            if server is not None:
                server.stop()
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    with exit_on_signals():  # SIGTERM unwinds, so the PostgreSQL server is stopped
        main()
