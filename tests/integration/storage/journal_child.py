"""Child process for the kill -9 test: journal entries, printing each id once acknowledged.

Usage: python journal_child.py DATABASE_URL COUNT WORKERS
"""

from __future__ import annotations

import asyncio
import sys

from claudedex.storage import Database, OrderJournal


async def main(url: str, count: int, workers: int) -> None:
    db = Database(url)
    await db.open()
    async with OrderJournal(db) as journal:
        next_id = iter(range(count))

        async def worker() -> None:
            for i in next_id:
                order_id = f"ord-{i}"
                await journal.record(order_id, "intent", {"i": i, "amount": 2**256 - 1})
                sys.stdout.write(f"{order_id}\n")
                sys.stdout.flush()

        await asyncio.gather(*(worker() for _ in range(workers)))
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
