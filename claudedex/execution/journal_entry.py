"""One journaled order transition, as every order journal returns it.

Why a module of its own: execution's journal protocol, the database journal
(:mod:`claudedex.storage.journal`) and a replay's in-memory journal
(:mod:`claudedex.backtest.journal`) share this type; defined with the database journal, it
made every replay import SQLAlchemy (0.25 s) for a dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journaled transition; ``seq`` orders entries globally (database identity)."""

    seq: int
    order_id: str
    state: str
    data: dict[str, Any]
    ts: datetime


__all__ = ["JournalEntry"]
