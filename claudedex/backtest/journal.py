"""The replay's order journal: the same entries as the database journal, kept in memory.

Why not the database: the journal exists so a crash never signs an order twice; a replay
signs nothing and restarts from its data, so durability buys it nothing, while each
write's trip through a thread made the replay wait on wall-clock I/O between records.
The order state machine, its transitions and what is journaled at each are execution's
own and unchanged; only where the entries are kept differs (listed in the README).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from claudedex.execution.journal_entry import JournalEntry
from claudedex.execution.states import TERMINAL


class MemoryJournal:
    """:class:`~claudedex.storage.journal.OrderJournal`'s interface, in memory."""

    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []
        self._by_order: dict[str, list[JournalEntry]] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def record(self, order_id: str, state: str, data: dict[str, Any]) -> None:
        """Append one transition. ``data`` is kept, not copied: execution hands every entry
        a snapshot of its own (:meth:`~claudedex.execution.order.Order.snapshot`) and never
        touches it again, so it stays what was recorded, as in the database."""
        self._append(order_id, state, data, datetime.now(UTC))

    async def record_many(self, entries: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Append several transitions ``(order_id, state, data)`` in order, stamped with one
        time (as the database stamps a group of entries)."""
        now = datetime.now(UTC)
        for order_id, state, data in entries:
            self._append(order_id, state, data, now)

    def _append(self, order_id: str, state: str, data: dict[str, Any], ts: datetime) -> None:
        entry = JournalEntry(len(self.entries) + 1, order_id, state, data, ts)
        self.entries.append(entry)
        self._by_order.setdefault(order_id, []).append(entry)

    async def seen(self, order_id: str) -> bool:
        return order_id in self._by_order

    async def history(self, order_id: str) -> list[JournalEntry]:
        return list(self._by_order.get(order_id, ()))

    async def open_orders(self) -> list[JournalEntry]:
        """The latest entry of every order not in a terminal state."""
        terminal = {str(s) for s in TERMINAL}
        return [h[-1] for h in self._by_order.values() if h[-1].state not in terminal]


__all__ = ["MemoryJournal"]
