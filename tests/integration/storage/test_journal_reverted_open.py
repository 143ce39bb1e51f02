"""A latest ``reverted`` is an open order: the revert's successor was never journaled.

Execution always follows ``reverted`` with ``failed`` or ``confirming_revert`` (a reorg may
still land the transaction); only a process that died between the two writes leaves it
last, and crash recovery (which reads :meth:`OrderJournal.open_orders`) must then finish it.
"""

from __future__ import annotations

from claudedex.storage import TERMINAL_STATES, Database, OrderJournal


async def test_a_latest_reverted_is_open_until_its_successor_is_journaled(db: Database) -> None:
    assert "reverted" not in TERMINAL_STATES
    async with OrderJournal(db) as journal:
        await journal.record("crashed", "broadcast", {"tx": "0xabc"})
        await journal.record("crashed", "reverted", {"tx": "0xabc", "block_number": 9})
        await journal.record("buried", "reverted", {"tx": "0xdef"})
        await journal.record("buried", "confirming_revert", {"tx": "0xdef"})
        await journal.record("buried", "failed", {"tx": "0xdef"})
        await journal.record("at-once", "reverted", {})
        await journal.record("at-once", "failed", {})
        opened = await journal.open_orders()
    assert [(e.order_id, e.state) for e in opened] == [("crashed", "reverted")]
    assert opened[0].data == {"tx": "0xabc", "block_number": 9}
