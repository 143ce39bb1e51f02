"""The order journal: durable, group-committed records of every order state transition.

Why group commit: an order intent must be on disk *before* its transaction is sent, and
an fsync per record caps SQLite at a few hundred writes a second. A single writer task
drains every record queued while the previous commit ran, writes them in one transaction
(one fsync), then resolves each caller's future. A caller's ``await record(...)`` returns
only after its own row is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import func, insert, select

from claudedex.errors import StorageError
from claudedex.execution.journal_entry import JournalEntry
from claudedex.storage.database import Database
from claudedex.storage.models import OrderEventRow, OrderRow, as_utc
from claudedex.storage.upsert import upsert

log = structlog.get_logger(__name__)

# Latest states after which recovery has nothing left to do (execution's terminal states,
# plus ``dropped``, which execution records only when it gives up). Not ``reverted``: it is
# always followed by ``failed`` or, with confirmations due, ``confirming_revert`` (a reorg
# may still land the same transaction), so a latest ``reverted`` is a process that died
# between the two writes, and recovery must finish it.
TERMINAL_STATES: frozenset[str] = frozenset(
    {"filled", "failed", "cancelled", "simulated", "rejected", "expired", "dropped"}
)

MAX_BATCH = 2000
MAX_ORDER_ID = 64  # orders.id column length
MAX_STATE = 32


@dataclass(slots=True)
class _Pending:
    order_id: str
    state: str
    data: dict[str, Any]
    ts: datetime
    done: asyncio.Future[None]


def _entry(row: OrderEventRow) -> JournalEntry:
    return JournalEntry(row.id, row.order_id, row.state, dict(row.data), as_utc(row.ts))


def _fail(batch: list[_Pending], error: StorageError) -> None:
    for item in batch:
        if not item.done.done():
            item.done.set_exception(error)


class OrderJournal:
    """Append-only order journal over a :class:`Database`, with one group-commit writer.

    Use ``async with OrderJournal(db) as journal:`` (or ``start()``/``close()``); the writer
    task is owned by the journal and stopped by ``close()`` after draining the queue.
    """

    def __init__(
        self, database: Database, *, terminal_states: Iterable[str] = TERMINAL_STATES
    ) -> None:
        self._db = database
        self._terminal = frozenset(terminal_states)
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self.commits = 0  # transactions committed (for tests and metrics)
        self.records = 0  # records acknowledged
        self._orders_upsert = upsert(database.dialect, OrderRow, ["id"], ["state", "updated_at"])

    async def start(self) -> None:
        if self._writer is None:
            self._closing = False
            self._writer = asyncio.create_task(self._write_loop(), name="order-journal-writer")

    async def close(self) -> None:
        """Commit everything already queued, then stop the writer."""
        if self._writer is None:
            return
        self._closing = True
        await self._queue.join()
        writer, self._writer = self._writer, None
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer

    async def __aenter__(self) -> OrderJournal:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def record(self, order_id: str, state: str, data: dict[str, Any]) -> None:
        """Journal one transition; returns once it is durably committed (or raises)."""
        await self.record_many([(order_id, state, data)])

    async def record_many(self, entries: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Journal several transitions ``(order_id, state, data)`` in this order; returns
        once all are durably committed (one group commit when the writer is idle), or
        raises :class:`StorageError`. All are checked before any is queued, so a bad entry
        queues none. No task per entry: the writer completes one future each."""
        for order_id, state, data in entries:
            self._check(order_id, state, data)
        now = datetime.now(UTC)
        loop = asyncio.get_running_loop()
        done: list[asyncio.Future[None]] = []
        for order_id, state, data in entries:
            done.append(loop.create_future())
            self._queue.put_nowait(_Pending(order_id, state, dict(data), now, done[-1]))
        await asyncio.shield(done[0] if len(done) == 1 else asyncio.gather(*done))

    def _check(self, order_id: str, state: str, data: dict[str, Any]) -> None:
        if self._writer is None or self._closing:
            raise StorageError("order journal is not running; use `async with OrderJournal(db)`")
        if self._writer.done():
            raise StorageError("order journal writer has stopped; see the earlier error")
        if not 0 < len(order_id) <= MAX_ORDER_ID or not 0 < len(state) <= MAX_STATE:
            raise StorageError(
                f"order id must be 1..{MAX_ORDER_ID} chars and state 1..{MAX_STATE} chars "
                f"(got {len(order_id)} and {len(state)})"
            )
        try:
            json.dumps(data)
        except (TypeError, ValueError) as exc:
            raise StorageError(f"journal data for order {order_id} is not JSON: {exc}") from exc

    async def _write_loop(self) -> None:
        batch: list[_Pending] = []
        try:
            while True:
                batch = [await self._queue.get()]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except asyncio.QueueEmpty:
                        break
                try:
                    await self._commit(batch)
                except Exception as exc:  # noqa: BLE001 - every failure must reach the callers
                    log.error("journal.commit_failed", error=str(exc), batch=len(batch))
                    _fail(batch, StorageError(f"order journal write failed: {exc}"))
                else:
                    self.commits += 1
                    self.records += len(batch)
                    for item in batch:
                        if not item.done.done():
                            item.done.set_result(None)
                finally:
                    for _ in batch:
                        self._queue.task_done()
                batch = []
        finally:
            # Cancelled (or crashed): nobody may wait forever on a write that never came.
            stopped = StorageError("order journal stopped before the write was confirmed")
            _fail(batch, stopped)
            while not self._queue.empty():
                item = self._queue.get_nowait()
                _fail([item], stopped)
                self._queue.task_done()

    async def _commit(self, batch: list[_Pending]) -> None:
        latest: dict[str, _Pending] = {}
        for item in batch:  # FIFO: the last transition of an order in the batch wins
            latest.pop(item.order_id, None)
            latest[item.order_id] = item
        orders = [
            {"id": p.order_id, "state": p.state, "created_at": p.ts, "updated_at": p.ts}
            for p in latest.values()
        ]
        events = [
            {"order_id": p.order_id, "state": p.state, "data": p.data, "ts": p.ts} for p in batch
        ]
        async with self._db.engine.begin() as conn:
            await conn.execute(self._orders_upsert, orders)
            await conn.execute(insert(OrderEventRow), events)

    async def seen(self, order_id: str) -> bool:
        """Whether any transition of ``order_id`` is journaled (one indexed row, no ORM)."""
        stmt = select(OrderEventRow.id).where(OrderEventRow.order_id == order_id).limit(1)
        async with self._db.engine.connect() as conn:
            return (await conn.execute(stmt)).first() is not None

    async def history(self, order_id: str) -> list[JournalEntry]:
        """Every transition of one order, oldest first."""
        stmt = (
            select(OrderEventRow)
            .where(OrderEventRow.order_id == order_id)
            .order_by(OrderEventRow.id)
        )
        async with self._db.session() as session:
            rows = (await session.scalars(stmt)).all()
        return [_entry(r) for r in rows]

    async def open_orders(self) -> list[JournalEntry]:
        """The latest entry of every order not in a terminal state (for crash recovery)."""
        newest = (
            select(func.max(OrderEventRow.id).label("id"))
            .join(OrderRow, OrderRow.id == OrderEventRow.order_id)
            .where(OrderRow.state.not_in(sorted(self._terminal)))
            .group_by(OrderEventRow.order_id)
            .subquery()
        )
        stmt = select(OrderEventRow).join(newest, newest.c.id == OrderEventRow.id)
        async with self._db.session() as session:
            rows = (await session.scalars(stmt.order_by(OrderEventRow.id))).all()
        return [_entry(r) for r in rows]
