"""The order journal: history, open orders, group commit, and durability across kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from claudedex.errors import StorageError
from claudedex.storage import Database, OrderJournal
from claudedex.storage.models import OrderEventRow

ROOT = Path(__file__).resolve().parents[3]
CHILD = Path(__file__).with_name("journal_child.py")
U256_MAX = 2**256 - 1


async def test_history_keeps_every_transition_in_order(db: Database) -> None:
    async with OrderJournal(db) as journal:
        for state in ("intent", "signed", "sent", "filled"):
            await journal.record("o-1", state, {"state": state, "amount": U256_MAX})
        await journal.record("o-2", "intent", {})
        history = await journal.history("o-1")
    assert [e.state for e in history] == ["intent", "signed", "sent", "filled"]
    assert all(e.data["amount"] == U256_MAX for e in history)
    assert [e.seq for e in history] == sorted(e.seq for e in history)
    assert all(e.ts.tzinfo is not None for e in history)


async def test_open_orders_are_those_whose_latest_state_is_not_terminal(db: Database) -> None:
    async with OrderJournal(db) as journal:
        await journal.record("done", "intent", {})
        await journal.record("done", "filled", {"out": 5})
        await journal.record("sent", "intent", {})
        await journal.record("sent", "sent", {"tx": "0xabc", "nonce": 7})
        await journal.record("failed", "failed", {"why": "reverted"})
        await journal.record("new", "intent", {"amount_in": 10**30})
        opened = await journal.open_orders()
    assert [(e.order_id, e.state) for e in opened] == [("sent", "sent"), ("new", "intent")]
    assert opened[0].data == {"tx": "0xabc", "nonce": 7}


async def test_concurrent_records_are_group_committed_and_all_acknowledged(db: Database) -> None:
    async def writer(journal: OrderJournal, n: int) -> None:
        for k in range(10):
            await journal.record(f"w{n}", "intent" if k < 9 else "filled", {"k": k})

    async with OrderJournal(db) as journal:
        await asyncio.gather(*(writer(journal, n) for n in range(100)))
        commits, records = journal.commits, journal.records
    assert records == 1000
    assert commits < records  # batches really held several callers' records
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(OrderEventRow))
    assert count == 1000
    async with OrderJournal(db) as journal:
        assert await journal.open_orders() == []
        assert [e.data["k"] for e in await journal.history("w42")] == list(range(10))


async def test_several_transitions_commit_together_in_order(db: Database) -> None:
    """Execution journals intent, risk- and operator-approval as one group: all three are
    there, in order, once it returns; a bad entry among them queues none of them."""
    async with OrderJournal(db) as journal:
        await journal.record_many([("g-1", "intent", {"n": 1}),
                                   ("g-1", "risk_approved", {"n": 2}),
                                   ("g-1", "operator_approved", {"n": 3})])
        history = await journal.history("g-1")
        assert [(e.state, e.data["n"]) for e in history] == [
            ("intent", 1), ("risk_approved", 2), ("operator_approved", 3)]
        with pytest.raises(StorageError, match="not JSON"):
            await journal.record_many([("g-2", "intent", {}),
                                       ("g-2", "risk_approved", {"bad": object()})])
        assert await journal.history("g-2") == []


async def test_order_id_must_fit_the_column(db: Database) -> None:
    async with OrderJournal(db) as journal:
        with pytest.raises(StorageError, match="order id"):
            await journal.record("x" * 65, "intent", {})
        with pytest.raises(StorageError, match="order id"):
            await journal.record("", "intent", {})


async def test_record_refused_when_journal_not_running(db: Database) -> None:
    journal = OrderJournal(db)
    with pytest.raises(StorageError):
        await journal.record("x", "intent", {})
    async with journal:
        await journal.record("x", "intent", {})
    with pytest.raises(StorageError):
        await journal.record("x", "sent", {})


async def test_non_json_data_is_refused_to_its_caller_only(db: Database) -> None:
    async with OrderJournal(db) as journal:
        results = await asyncio.gather(
            journal.record("good-1", "intent", {}),
            journal.record("bad", "intent", {"not json": object()}),
            journal.record("good-2", "intent", {}),
            return_exceptions=True,
        )
        assert results[0] is None and results[2] is None
        assert isinstance(results[1], StorageError)
        assert [e.state for e in await journal.history("good-2")] == ["intent"]
        assert await journal.history("bad") == []


async def test_a_failed_commit_fails_its_callers_and_the_writer_survives(db: Database) -> None:
    async with OrderJournal(db) as journal:
        async with db.session() as session:  # the journal table disappears under the writer
            await session.execute(text("ALTER TABLE order_events RENAME TO order_events_gone"))
        with pytest.raises(StorageError, match="write failed"):
            await journal.record("lost", "intent", {})
        async with db.session() as session:
            await session.execute(text("ALTER TABLE order_events_gone RENAME TO order_events"))
        await journal.record("after", "intent", {})
        assert await journal.history("lost") == []
        assert [e.state for e in await journal.history("after")] == ["intent"]


@pytest.mark.slow
async def test_acknowledged_writes_survive_kill_9(db_url: str) -> None:
    """Every id the child printed (after its record() returned) is in the journal."""
    async with Database(db_url):
        pass  # migrate before the child starts, so it writes at once
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), db_url, "1000000", "32",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=ROOT,
    )
    assert child.stdout is not None and child.stderr is not None
    acked: list[str] = []
    try:
        while len(acked) < 3000:
            line = await child.stdout.readline()
            if not line:
                break
            text_line = line.decode().strip()
            if text_line.startswith("ord-"):  # skip the child's log lines
                acked.append(text_line)
        os.kill(child.pid, signal.SIGKILL)
        rest, err = await child.communicate()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    acked += [x for x in rest.decode().split("\n") if x.startswith("ord-")]
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert len(acked) >= 3000

    db = Database(db_url)
    await db.open()
    try:
        async with db.session() as session:
            stored = set((await session.scalars(select(OrderEventRow.order_id))).all())
        async with OrderJournal(db) as journal:
            sample = await journal.history(acked[-1])
    finally:
        await db.close()
    missing = [x for x in acked if x not in stored]
    assert missing == []
    assert len(stored) < 1_000_000  # it really died mid-way
    assert sample[0].data["amount"] == U256_MAX
