"""The keyed, anchored audit chain catches every tampering a database-only attacker can do.

Each test writes a real chain (SQLite and PostgreSQL), tampers with the table the way an
attacker with database access would, and checks what ``verify_detail`` says.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from claudedex.security import audit as audit_module
from claudedex.security.audit import GENESIS, AuditLog, VerifyResult, chain_hash
from claudedex.security.audit_chain import row_body
from claudedex.security.audit_key import (
    AuditKey,
    anchor_path,
    key_path,
    load_or_create_key,
    read_anchor,
    read_anchor_bytes,
)
from claudedex.security.files import mode_of
from claudedex.storage import Database


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile-data"


async def _fill(log: AuditLog, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        await log.append("operator", "approve", {"proposal": f"p-{i}", "amount": 2**256 - 1})


async def _sql(db: Database, sql: str, **params: Any) -> None:
    async with db.session() as session:
        await session.execute(text(sql), params)


async def _rows(db: Database) -> list[Any]:
    async with db.session() as session:
        result = await session.execute(text(
            "SELECT id, ts, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY id"))
        return list(result.all())


async def _rechain(db: Database, from_index: int, sign: Any, upto: int | None = None) -> None:
    """Recompute rows' links and values from ``from_index`` (to ``upto``) with ``sign``."""
    rows = await _rows(db)
    prev = rows[from_index - 1].hash if from_index else GENESIS
    for r in rows[from_index:upto]:
        value = sign(prev, r.ts, r.actor, r.action, r.detail)
        await _sql(db, "UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i",
                   p=prev, h=value, i=r.id)
        prev = value


async def _keyed(db: Database, key_dir: Path, n: int = 5) -> tuple[AuditLog, list[int]]:
    log = AuditLog(db, key_dir=key_dir)
    await _fill(log, n)
    return log, [e.id for e in await log.entries()]


async def test_round_trip_is_keyed_anchored_and_private(db: Database, key_dir: Path) -> None:
    log, ids = await _keyed(db, key_dir)
    result = await log.verify_detail()
    assert result == VerifyResult(True, None, 5, "", "keyed", 0, 5, "")
    assert await log.verify() == (True, None)
    assert mode_of(key_path(key_dir)) == 0o600
    assert mode_of(anchor_path(key_dir)) == 0o600
    assert mode_of(key_dir) == 0o700
    entries = await log.entries()
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    first = (await _rows(db))[0]
    # the stored value is a MAC, not the unkeyed sha256 anyone could recompute
    assert first.hash != chain_hash(GENESIS, first.ts, first.actor, first.action, first.detail)
    key, _ = load_or_create_key(key_dir)
    anchor = read_anchor(key_dir, key)
    assert anchor is not None and (anchor.count, anchor.head) == (5, entries[-1].hash)
    assert key.secret.hex() not in anchor_path(key_dir).read_text()


async def test_edited_row_is_reported(db: Database, key_dir: Path) -> None:
    log, ids = await _keyed(db, key_dir)
    await _sql(db, "UPDATE audit_log SET detail = :d WHERE id = :i",
               d='{"proposal":"p-999"}', i=ids[2])
    result = await log.verify_detail()
    assert (result.ok, result.first_bad_id, result.checked) == (False, ids[2], 2)
    assert "MAC" in result.reason


async def test_row_edited_into_invalid_json_is_reported_not_a_crash(
        db: Database, key_dir: Path) -> None:
    log, ids = await _keyed(db, key_dir, 3)
    await _sql(db, "UPDATE audit_log SET detail = '{oops' WHERE id = :i", i=ids[1])
    result = await log.verify_detail()
    assert (result.ok, result.first_bad_id, result.reason) == (
        False, ids[1], "row detail is not valid JSON")
    assert (await AuditLog(db).verify_detail()).first_bad_id == ids[0]  # unkeyed: row 1 MAC
    await _fill(AuditLog(db, key_dir=key_dir), 1)  # a fresh writer still appends
    assert not (await log.verify_detail()).ok


@pytest.mark.parametrize("victim", [0, 2, 4], ids=["first", "middle", "last"])
async def test_deleted_row_anywhere_is_reported(db: Database, key_dir: Path,
                                                victim: int) -> None:
    log, ids = await _keyed(db, key_dir)
    await _sql(db, "DELETE FROM audit_log WHERE id = :i", i=ids[victim])
    result = await log.verify_detail()
    assert not result.ok
    if victim == 4:  # the tail: every remaining row is intact, only the anchor knows
        assert result.first_bad_id is None and "1 row(s) missing" in result.reason
    else:
        assert result.first_bad_id == ids[victim + 1] and "link" in result.reason


async def test_all_rows_deleted_is_reported(db: Database, key_dir: Path) -> None:
    log, _ = await _keyed(db, key_dir)
    await _sql(db, "DELETE FROM audit_log")
    result = await log.verify_detail()
    assert not result.ok and "5 row(s) missing" in result.reason and result.checked == 0


async def test_reordered_rows_are_reported(db: Database, key_dir: Path) -> None:
    log, ids = await _keyed(db, key_dir)
    rows = {r.id: r for r in await _rows(db)}
    a, b = rows[ids[1]], rows[ids[2]]
    swap = ("UPDATE audit_log SET ts = :ts, actor = :actor, action = :action, "
            "detail = :detail, prev_hash = :prev, hash = :hash WHERE id = :i")
    await _sql(db, "UPDATE audit_log SET prev_hash = 'x' WHERE id = :i", i=b.id)
    for target, src in ((a.id, b), (b.id, a)):
        await _sql(db, swap, ts=src.ts, actor=src.actor, action=src.action,
                   detail=src.detail, prev=src.prev_hash, hash=src.hash, i=target)
    result = await log.verify_detail()
    assert (result.ok, result.first_bad_id) == (False, ids[1])


@pytest.mark.parametrize("from_index", [0, 2])
async def test_chain_recomputed_without_the_key_is_reported(
        db: Database, key_dir: Path, from_index: int) -> None:
    log, ids = await _keyed(db, key_dir)
    await _sql(db, "UPDATE audit_log SET actor = 'mallory' WHERE id = :i", i=ids[from_index])
    await _rechain(db, from_index, chain_hash)  # the old, unkeyed recipe: links all agree
    result = await log.verify_detail()
    assert not result.ok
    if from_index == 0:
        assert "anchor recorded" in result.reason  # every row a valid "legacy" row...
        assert (await AuditLog(db).verify_detail()).ok  # ...which the unkeyed chain accepted
    else:
        assert result.first_bad_id == ids[2] and "unkeyed row after keyed" in result.reason


async def test_chain_recomputed_with_another_key_is_reported(db: Database, key_dir: Path,
                                                              tmp_path: Path) -> None:
    log, ids = await _keyed(db, key_dir)
    forged, _ = load_or_create_key(tmp_path / "attacker")
    await _rechain(db, 0, lambda p, ts, ac, an, d: forged.mac(p, row_body(ts, ac, an, d)))
    result = await log.verify_detail()
    assert (result.ok, result.first_bad_id) == (False, ids[0])


async def test_tampering_stays_reported_while_the_engine_keeps_appending(
        db: Database, key_dir: Path) -> None:
    log, ids = await _keyed(db, key_dir)
    await _sql(db, "DELETE FROM audit_log WHERE id >= :i", i=ids[3])
    await _fill(log, 4, start=10)  # more rows than were deleted: the count alone would pass
    result = await log.verify_detail()
    assert not result.ok and "anchor recorded" in result.reason
    await _sql(db, "DELETE FROM audit_log")
    await _fill(AuditLog(db, key_dir=key_dir), 7, start=20)
    assert not (await log.verify_detail()).ok


async def test_legacy_chain_verifies_unkeyed_then_upgrades(db: Database, key_dir: Path) -> None:
    await _fill(AuditLog(db), 3)  # written before the key existed
    log = AuditLog(db, key_dir=key_dir)
    before = await log.verify_detail()
    assert before.ok and before.mode == "unkeyed" and "no audit key" in before.note
    assert not key_path(key_dir).exists()  # verifying never creates the key
    await _fill(log, 2, start=3)
    after = await log.verify_detail()
    assert after.ok and after.mode == "keyed" and after.legacy == 3 and after.anchored == 5
    ids = [e.id for e in await log.entries()]
    await _sql(db, "UPDATE audit_log SET actor = 'mallory' WHERE id = :i", i=ids[1])
    await _rechain(db, 1, chain_hash, upto=3)  # the legacy prefix rewritten...
    result = await log.verify_detail()  # ...but the first keyed row's MAC covers its link
    assert (result.ok, result.first_bad_id) == (False, ids[3]) and "link" in result.reason
    await _rechain(db, 3, chain_hash)  # and the keyed rows rewritten as "legacy" too
    result = await log.verify_detail()
    assert (result.ok, result.first_bad_id) == (False, ids[4]) and "anchor" in result.reason


async def test_unkeyed_row_after_keyed_rows_is_reported(db: Database, key_dir: Path) -> None:
    log, ids = await _keyed(db, key_dir, 2)
    await AuditLog(db).append("mallory", "approve", {"p": 1})  # a writer without the key
    result = await log.verify_detail()
    assert not result.ok and result.checked == 2
    assert result.reason == "unkeyed row after keyed rows (rewritten without the key)"


async def test_missing_key_or_edited_anchor_is_reported(db: Database, key_dir: Path) -> None:
    log, _ = await _keyed(db, key_dir, 3)
    raw = anchor_path(key_dir).read_text()
    anchor_path(key_dir).write_text(raw.replace('"count": 3', '"count": 2'))
    edited = await log.verify_detail()
    assert not edited.ok and "MAC" in edited.reason
    key_path(key_dir).unlink()
    missing = await log.verify_detail()
    assert not missing.ok and "key is missing" in missing.reason


async def test_anchor_behind_the_table_is_fine_and_catches_up(db: Database,
                                                                key_dir: Path) -> None:
    """A crash between the commit and the anchor write leaves the anchor one row behind."""
    log, _ = await _keyed(db, key_dir, 3)
    stale = anchor_path(key_dir).read_bytes()
    await _fill(log, 2, start=3)
    anchor_path(key_dir).write_bytes(stale)
    result = await log.verify_detail()
    assert result.ok and (result.anchored, result.checked) == (3, 5)
    await _fill(AuditLog(db, key_dir=key_dir), 1, start=5)  # a restarted engine appends
    assert (await log.verify_detail()).anchored == 6


async def test_concurrent_keyed_appenders_keep_one_anchored_chain(db: Database,
                                                                  key_dir: Path) -> None:
    logs = [AuditLog(db, key_dir=key_dir), AuditLog(db, key_dir=key_dir)]
    await asyncio.gather(*(log.append("engine", "tick", {"n": i}) for i in range(10)
                           for log in logs))
    result = await logs[0].verify_detail()
    assert result.ok and result.checked == 20 and result.anchored == 20


async def test_verify_tolerates_an_append_between_anchor_and_rows(
        db: Database, key_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer, _ = await _keyed(db, key_dir, 3)
    reader = AuditLog(db, key_dir=key_dir)
    walk = reader._walk

    async def append_then_walk(walker: Any) -> VerifyResult:
        await writer.append("engine", "tick", {"raced": True})  # lands after the anchor read
        return await walk(walker)

    monkeypatch.setattr(reader, "_walk", append_then_walk)
    result = await reader.verify_detail()
    assert result.ok and result.checked == 4 and result.anchored == 3


async def test_verify_retries_once_when_the_anchor_appeared_mid_walk(
        db: Database, key_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log, _ = await _keyed(db, key_dir, 2)
    real = read_anchor_bytes
    calls: list[int] = []

    def first_read_sees_no_anchor(directory: Path) -> bytes | None:
        calls.append(1)
        return None if len(calls) == 1 else real(directory)

    monkeypatch.setattr(audit_module, "read_anchor_bytes", first_read_sees_no_anchor)
    result = await log.verify_detail()
    assert result.ok and len(calls) == 2


async def test_keyed_log_hides_its_key(db: Database, key_dir: Path) -> None:
    log, _ = await _keyed(db, key_dir, 1)
    key = log._key
    assert isinstance(key, AuditKey)
    assert key.secret.hex() not in repr(key) and key.secret.hex() not in repr(log.__dict__)
