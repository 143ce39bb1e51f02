"""Hash-chained audit log: every operator and engine decision, tamper-evident.

Why a chain: each row stores ``hash = sha256(prev_hash + canonical_json(row))``; editing,
deleting or reordering any row breaks the chain at that row, which ``verify()`` reports.
``prev_hash`` is UNIQUE in the schema, so two writers can never fork the chain: the loser
of a race gets a constraint error and retries on the new tip.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from claudedex.errors import StorageError
from claudedex.storage.database import Database
from claudedex.storage.models import AuditRow

GENESIS = "0" * 64
_RETRIES = 20


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"audit detail value of type {type(value).__name__} is not JSON")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the same bytes for the same data, always."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_default)


def chain_hash(prev_hash: str, ts: str, actor: str, action: str, detail_json: str) -> str:
    """sha256 of the previous hash followed by the row's canonical JSON."""
    row = {"action": action, "actor": actor, "detail": json.loads(detail_json), "ts": ts}
    body = canonical_json(row)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ts: str
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    first_bad_id: int | None
    checked: int
    reason: str = ""


class AuditLog:
    """Append-only, hash-chained record of who did what."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._lock = asyncio.Lock()

    async def append(self, actor: str, action: str, detail: dict[str, Any]) -> AuditEntry:
        """Append one entry on the chain's tip and return it (committed)."""
        detail_json = canonical_json(detail)
        async with self._lock:
            for _ in range(_RETRIES):
                try:
                    return await self._append_once(actor, action, detail_json)
                except (IntegrityError, OperationalError):
                    await asyncio.sleep(0.01)  # another process extended the chain: retry
        raise StorageError(f"audit append failed after {_RETRIES} attempts (chain contention)")

    async def _append_once(self, actor: str, action: str, detail_json: str) -> AuditEntry:
        ts = datetime.now(UTC).isoformat(timespec="microseconds")
        async with self._db.session() as session:
            tip = await session.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1))
            prev = tip or GENESIS
            row = AuditRow(ts=ts, actor=actor, action=action, detail=detail_json,
                           prev_hash=prev, hash=chain_hash(prev, ts, actor, action, detail_json))
            session.add(row)
            await session.flush()
            entry = _entry(row)
        return entry

    async def entries(self, *, after_id: int = 0, limit: int = 1000) -> list[AuditEntry]:
        stmt = select(AuditRow).where(AuditRow.id > after_id).order_by(AuditRow.id).limit(limit)
        async with self._db.session() as session:
            rows = (await session.scalars(stmt)).all()
        return [_entry(r) for r in rows]

    async def verify(self) -> tuple[bool, int | None]:
        """``(True, None)`` for an intact chain, else ``(False, id of the first bad row)``."""
        result = await self.verify_detail()
        return result.ok, result.first_bad_id

    async def verify_detail(self) -> VerifyResult:
        """Walk the chain from genesis; the first row whose link or hash is wrong is bad."""
        prev = GENESIS
        checked = 0
        last_id = 0
        while True:
            stmt = select(AuditRow).where(AuditRow.id > last_id).order_by(AuditRow.id).limit(5000)
            async with self._db.session() as session:
                rows = (await session.scalars(stmt)).all()
            if not rows:
                return VerifyResult(True, None, checked)
            for r in rows:
                if r.prev_hash != prev:
                    return VerifyResult(False, r.id, checked, "link to previous row broken")
                if chain_hash(r.prev_hash, r.ts, r.actor, r.action, r.detail) != r.hash:
                    return VerifyResult(False, r.id, checked, "row content does not match hash")
                prev = r.hash
                checked += 1
                last_id = r.id


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.id, row.ts, row.actor, row.action, json.loads(row.detail),
                      row.prev_hash, row.hash)
