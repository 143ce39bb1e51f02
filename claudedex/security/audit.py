"""Keyed, anchored audit log: every operator and engine decision, tamper-evident.

Why a chain: each row stores the MAC (keyed) or hash (legacy) of the previous row's value
followed by its own canonical JSON; editing, deleting or reordering any row breaks the
chain at that row. ``prev_hash`` is UNIQUE in the schema, so two writers can never fork
the chain: the loser of a race gets a constraint error and retries on the new tip.

Why a key and an anchor outside the database (``key_dir``, the profile's data dir): see
:mod:`claudedex.security.audit_key`. Without a ``key_dir`` the log runs unkeyed, as it
did before the key existed, and :meth:`AuditLog.verify_detail` says so (``mode``).
The anchor is written after the row commits, so it is never ahead of the table: a reader
sees at least the anchored rows, and rows past the anchor must carry valid MACs.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from claudedex.errors import StorageError
from claudedex.security.audit_chain import (
    GENESIS,
    ChainWalker,
    VerifyResult,
    canonical_json,
    chain_hash,
    row_body,
)
from claudedex.security.audit_key import (
    Anchor,
    AuditKey,
    AuditKeyError,
    advance_anchor,
    anchor_path,
    create_anchor,
    load_or_create_key,
    parse_anchor,
    read_anchor,
    read_anchor_bytes,
    read_key,
)
from claudedex.storage.database import Database
from claudedex.storage.models import AuditRow

__all__ = ["GENESIS", "AuditEntry", "AuditLog", "VerifyResult", "canonical_json", "chain_hash"]

log = structlog.get_logger(__name__)

_RETRIES = 20
_PAGE = 5000
_ANCHOR_WALK_LIMIT = 1000  # rows another appender may have added since our last anchor


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ts: str
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str  # the row's MAC in a keyed chain, its sha256 in a legacy one


class AuditLog:
    """Append-only, chained record of who did what (keyed when given a ``key_dir``)."""

    def __init__(self, database: Database, *, key_dir: Path | None = None) -> None:
        self._db = database
        self._lock = asyncio.Lock()
        self._key_dir = key_dir
        self._key: AuditKey | None = None
        self._anchor_warned = False

    @property
    def keyed(self) -> bool:
        return self._key_dir is not None

    async def append(self, actor: str, action: str, detail: dict[str, Any]) -> AuditEntry:
        """Append one entry on the chain's tip and return it (committed, anchor updated)."""
        detail_json = canonical_json(detail)
        async with self._lock:
            key = await self._ensure_key()
            for _ in range(_RETRIES):
                try:
                    entry = await self._append_once(actor, action, detail_json, key)
                    break
                except (IntegrityError, OperationalError):
                    await asyncio.sleep(0.01)  # another process extended the chain: retry
            else:
                raise StorageError(
                    f"audit append failed after {_RETRIES} attempts (chain contention)")
            if key is not None:
                await self._advance(key, entry)
            return entry

    async def _append_once(self, actor: str, action: str, detail_json: str,
                           key: AuditKey | None) -> AuditEntry:
        ts = datetime.now(UTC).isoformat(timespec="microseconds")
        async with self._db.session() as session:
            tip = await session.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1))
            prev = tip or GENESIS
            if key is None:
                value = chain_hash(prev, ts, actor, action, detail_json)
            else:
                value = key.mac(prev, row_body(ts, actor, action, detail_json))
            row = AuditRow(ts=ts, actor=actor, action=action, detail=detail_json,
                           prev_hash=prev, hash=value)
            session.add(row)
            await session.flush()
            entry = _entry(row)
        return entry

    async def _ensure_key(self) -> AuditKey | None:
        """The key (created on first use), with the anchor written before any keyed row."""
        if self._key_dir is None or self._key is not None:
            return self._key
        key, _created = load_or_create_key(self._key_dir)
        if read_anchor_bytes(self._key_dir) is None:
            count, tip = await self._tip()
            if tip is not None and _is_keyed(key, tip):
                # keyed rows but no anchor: evidence of tampering, never papered over
                log.error("audit_anchor_missing", path=str(anchor_path(self._key_dir)))
            else:
                create_anchor(self._key_dir, key,
                              Anchor(count, tip.hash if tip else GENESIS, key.key_id))
        self._key = key
        return key

    async def _tip(self) -> tuple[int, AuditRow | None]:
        async with self._db.session() as session:
            count = await session.scalar(select(func.count()).select_from(AuditRow))
            tip = await session.scalar(select(AuditRow).order_by(AuditRow.id.desc()).limit(1))
        return int(count or 0), tip

    async def _advance(self, key: AuditKey, entry: AuditEntry) -> None:
        """Move the anchor to ``entry``; a tip that does not descend from it is left as is."""
        assert self._key_dir is not None
        try:
            anchor = read_anchor(self._key_dir, key)
        except AuditKeyError as exc:  # a bad anchor is evidence: kept, and verify reports it
            self._warn_once("audit_anchor_unusable", error=str(exc))
            return
        if anchor is None:
            return  # missing with keyed rows present: reported by _ensure_key and verify
        if entry.prev_hash == anchor.head:
            count: int | None = anchor.count + 1
        else:
            count = await self._count_after(key, anchor, entry)
        if count is None:
            self._warn_once("audit_anchor_diverged", anchored=anchor.count, entry=entry.id)
            return
        advance_anchor(self._key_dir, key, Anchor(count, entry.hash, key.key_id))

    def _warn_once(self, event: str, **fields: Any) -> None:
        if not self._anchor_warned:
            self._anchor_warned = True
            log.error(event, **fields)

    async def _count_after(self, key: AuditKey, anchor: Anchor, entry: AuditEntry) -> int | None:
        """Rows from the anchored head to ``entry`` (all keyed), or None if not its heir."""
        cursor, count = anchor.head, anchor.count
        async with self._db.session() as session:
            for _ in range(_ANCHOR_WALK_LIMIT):
                row = await session.scalar(select(AuditRow).where(AuditRow.prev_hash == cursor))
                if row is None or not _is_keyed(key, row):
                    return None
                count += 1
                if row.id == entry.id:
                    return count
                cursor = row.hash
        return None

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
        """Walk the chain from genesis, checking every row and (keyed) the anchor.

        A failure is checked once more from a fresh read of the anchor and the rows: an
        append (or the key's creation) racing with this walk must not read as tampering.
        """
        if self._key_dir is None:
            return await self._walk(ChainWalker(None, None, "no key directory given"))
        first = await self._verify_keyed()
        return first if first.ok else await self._verify_keyed()

    async def _verify_keyed(self) -> VerifyResult:
        assert self._key_dir is not None
        try:
            raw = read_anchor_bytes(self._key_dir)  # before the rows: never ahead of them
            key = read_key(self._key_dir)
            if key is None:
                if raw is not None:
                    return VerifyResult(False, None, 0, f"the audit key is missing from "
                                        f"{self._key_dir} but its anchor exists", "keyed")
                return await self._walk(ChainWalker(None, None, "no audit key yet"))
            anchor = None if raw is None else parse_anchor(raw, key, anchor_path(self._key_dir))
        except AuditKeyError as exc:
            return VerifyResult(False, None, 0, str(exc), "keyed")
        return await self._walk(ChainWalker(key, anchor))

    async def _walk(self, walker: ChainWalker) -> VerifyResult:
        last_id = 0
        while True:
            stmt = select(AuditRow).where(AuditRow.id > last_id).order_by(AuditRow.id).limit(_PAGE)
            async with self._db.session() as session:
                rows = (await session.scalars(stmt)).all()
            if not rows:
                return walker.finish()
            for r in rows:
                bad = walker.feed(r)
                if bad is not None:
                    return bad
                last_id = r.id


def _is_keyed(key: AuditKey, row: AuditRow) -> bool:
    """True when ``row`` carries a valid MAC under ``key``."""
    try:
        body = row_body(row.ts, row.actor, row.action, row.detail)
    except ValueError:  # an edited, unparseable detail: certainly not a valid keyed row
        return False
    return key.mac(row.prev_hash, body) == row.hash


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.id, row.ts, row.actor, row.action, json.loads(row.detail),
                      row.prev_hash, row.hash)
