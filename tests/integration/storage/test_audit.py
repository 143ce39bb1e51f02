"""The hash-chained audit log detects edits and deletions, in code and via the CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from claudedex.security.audit import GENESIS, AuditLog
from claudedex.storage import Database

ROOT = Path(__file__).resolve().parents[3]


async def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        await log.append("operator", "approve", {"proposal": f"p-{i}", "cap": Decimal("0.5"),
                                                 "amount": 2**256 - 1, "note": "ünïcode"})


async def test_chain_links_and_verifies(db: Database) -> None:
    log = AuditLog(db)
    assert await log.verify() == (True, None)
    await _fill(log, 5)
    entries = await log.entries()
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[2].detail["amount"] == 2**256 - 1
    assert entries[2].detail["cap"] == "0.5"
    assert await log.verify() == (True, None)


async def test_tampered_row_is_reported(db: Database) -> None:
    log = AuditLog(db)
    await _fill(log, 5)
    third = (await log.entries())[2].id
    async with db.session() as session:
        await session.execute(
            text("UPDATE audit_log SET detail = :d WHERE id = :i"),
            {"d": '{"proposal":"p-999"}', "i": third},
        )
    assert await log.verify() == (False, third)
    result = await log.verify_detail()
    assert result.checked == 2 and "hash" in result.reason


async def test_deleted_row_breaks_the_next_link(db: Database) -> None:
    log = AuditLog(db)
    await _fill(log, 4)
    ids = [e.id for e in await log.entries()]
    async with db.session() as session:
        await session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[1]})
    assert await log.verify() == (False, ids[2])


async def test_concurrent_appends_keep_one_chain(db: Database) -> None:
    logs = [AuditLog(db), AuditLog(db)]  # two appenders that do not share a lock
    await asyncio.gather(*(log.append("engine", "tick", {"n": i}) for i in range(10)
                           for log in logs))
    entries = await logs[0].entries()
    assert len(entries) == 20
    assert await logs[0].verify() == (True, None)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120, check=False,
    )


async def test_cli_audit_verify_exits_1_on_tampering(db: Database) -> None:
    log = AuditLog(db)
    await _fill(log, 3)
    ok = await asyncio.to_thread(_cli, "audit", "verify", "--url", db.url)
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout
    second = (await log.entries())[1].id
    async with db.session() as session:
        await session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :i"),
                              {"i": second})
    bad = await asyncio.to_thread(_cli, "audit", "verify", "--url", db.url)
    assert bad.returncode == 1
    assert f"audit row {second}" in bad.stdout
