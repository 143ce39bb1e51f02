"""The replay's audit trail: the same appends as the database's keyed chain, kept in memory.

Why not the database: the audit log makes what an operator, the signer and the API did
provable afterwards; a replay signs nothing, is driven by no operator and keeps no
database at all (its journal is in memory too: :mod:`claudedex.backtest.journal`), so its
appends (a refused signature, a trade the gate turned down) are kept here for the run and
discarded with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ReplayAuditEntry:
    """One append: who (``actor``), what (``action``) and its details (copied)."""

    seq: int
    actor: str
    action: str
    detail: dict[str, Any]


@dataclass(slots=True)
class MemoryAudit:
    """:class:`~claudedex.security.audit.AuditLog`'s ``append``, in memory."""

    entries: list[ReplayAuditEntry] = field(default_factory=list)

    async def append(self, actor: str, action: str, detail: dict[str, Any]) -> ReplayAuditEntry:
        entry = ReplayAuditEntry(len(self.entries) + 1, actor, action, dict(detail))
        self.entries.append(entry)
        return entry


__all__ = ["MemoryAudit", "ReplayAuditEntry"]
