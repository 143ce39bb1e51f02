"""The replay's in-memory journal: entries in order, numbered, a group stamped once."""

from __future__ import annotations

from claudedex.backtest.journal import MemoryJournal


async def test_record_many_appends_in_order_with_one_time() -> None:
    journal = MemoryJournal()
    await journal.record("o-1", "intent", {"state": "intent"})
    await journal.record_many([("o-2", "intent", {"state": "intent"}),
                               ("o-2", "risk_approved", {"state": "risk_approved"}),
                               ("o-2", "operator_approved", {"state": "operator_approved"})])
    assert [(e.seq, e.order_id, e.state) for e in journal.entries] == [
        (1, "o-1", "intent"), (2, "o-2", "intent"), (3, "o-2", "risk_approved"),
        (4, "o-2", "operator_approved")]
    group = journal.entries[1:]
    assert len({e.ts for e in group}) == 1  # one commit, one time (as the database)
    assert [e.data["state"] for e in await journal.history("o-2")] == [
        "intent", "risk_approved", "operator_approved"]
    assert await journal.seen("o-2") and not await journal.seen("o-3")
    assert [e.order_id for e in await journal.open_orders()] == ["o-1", "o-2"]
