"""The audit chain's arithmetic: canonical rows, their hash or MAC, and the verifying walk.

A row's body is the canonical JSON of ``{action, actor, detail, ts}``. An unkeyed (legacy)
row stores ``sha256(prev + body)``; a keyed row stores ``HMAC(key, domain + prev + body)``
(see :mod:`claudedex.security.audit_key`). Both are 64 hex characters in the same column,
so a database written before the key existed still verifies, as a legacy prefix: unkeyed
rows are accepted only before the first keyed row and inside the anchored count, so a
rewrite without the key can never pass as "legacy".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from claudedex.security.audit_key import Anchor, AuditKey

GENESIS = "0" * 64

Mode = Literal["keyed", "unkeyed"]


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"audit detail value of type {type(value).__name__} is not JSON")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the same bytes for the same data, always."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_default)


def row_body(ts: str, actor: str, action: str, detail_json: str) -> str:
    """The canonical JSON of one row, as hashed (detail re-canonicalised from its text)."""
    row = {"action": action, "actor": actor, "detail": json.loads(detail_json), "ts": ts}
    return canonical_json(row)


def chain_hash(prev_hash: str, ts: str, actor: str, action: str, detail_json: str) -> str:
    """sha256 of the previous hash followed by the row's canonical JSON (unkeyed rows)."""
    body = row_body(ts, actor, action, detail_json)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """One verification: ``ok``, the first bad row (None when the fault is not one row).

    ``mode``: ``keyed`` (MACs checked against the key, row count against the anchor) or
    ``unkeyed`` (hashes only: a deleted tail or a recomputed chain cannot be seen).
    ``legacy``: unkeyed rows accepted before the key's first row. ``anchored``: the row
    count the anchor records (None without one). ``note``: why the mode is what it is.
    """

    ok: bool
    first_bad_id: int | None
    checked: int
    reason: str = ""
    mode: Mode = "unkeyed"
    legacy: int = 0
    anchored: int | None = None
    note: str = ""


class ChainRow(Protocol):
    """What the walk reads of a stored row (``claudedex.storage.models.AuditRow``)."""

    @property
    def id(self) -> int: ...
    @property
    def ts(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


class ChainWalker:
    """Feed rows in id order; the first bad one ends the walk, ``finish`` judges the tail.

    ``key`` None: unkeyed walk (every row must be its sha256). With a key, ``anchor`` None
    means none could be found: legacy rows may still precede keyed rows, and ``finish``
    reports keyed rows without an anchor as tampering (the anchor is written before the
    first keyed row exists).
    """

    def __init__(self, key: AuditKey | None, anchor: Anchor | None, note: str = "") -> None:
        self.key = key
        self.anchor = anchor
        self.note = note
        self.prev = GENESIS
        self.checked = 0
        self.legacy = 0
        self.keyed_seen = False

    @property
    def mode(self) -> Mode:
        return "unkeyed" if self.key is None else "keyed"

    def result(self, ok: bool, bad_id: int | None = None, reason: str = "") -> VerifyResult:
        return VerifyResult(ok, bad_id, self.checked, reason, self.mode, self.legacy,
                            None if self.anchor is None else self.anchor.count, self.note)

    def feed(self, row: ChainRow) -> VerifyResult | None:
        """None while the chain holds; the failing result at the first bad row."""
        if row.prev_hash != self.prev:
            return self.result(False, row.id, "link to previous row broken")
        try:
            body = row_body(row.ts, row.actor, row.action, row.detail)
        except ValueError:  # json.JSONDecodeError: the stored detail was edited into garbage
            return self.result(False, row.id, "row detail is not valid JSON")
        fault = self._check(row.hash, body)
        if fault:
            return self.result(False, row.id, fault)
        position = self.checked + 1
        if self.anchor is not None and position == self.anchor.count \
                and row.hash != self.anchor.head:
            return self.result(False, row.id, f"row {position} is not the head the anchor "
                               "recorded (chain rewritten from here or earlier)")
        self.checked = position
        self.prev = row.hash
        return None

    def _check(self, stored: str, body: str) -> str:
        plain = hashlib.sha256((self.prev + body).encode("utf-8")).hexdigest()
        if self.key is None:
            return "" if plain == stored else "row content does not match hash"
        if self.key.mac(self.prev, body) == stored:
            self.keyed_seen = True
            return ""
        if plain != stored:
            return "row content does not match its MAC"
        if self.keyed_seen:
            return "unkeyed row after keyed rows (rewritten without the key)"
        if self.anchor is not None and self.checked + 1 > self.anchor.count:
            return "unkeyed row past the anchored tip (rewritten without the key)"
        self.legacy += 1
        return ""

    def finish(self) -> VerifyResult:
        """The verdict once every row has been fed."""
        anchor = self.anchor
        if self.key is not None and anchor is None and self.keyed_seen:
            return self.result(False, None, "the anchor file is missing but keyed rows exist")
        if anchor is not None and self.checked < anchor.count:
            missing = anchor.count - self.checked
            return self.result(False, None, f"{missing} row(s) missing: the anchor records "
                               f"{anchor.count} rows, the table holds {self.checked}")
        return self.result(True)
