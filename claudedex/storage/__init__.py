"""Persistence: SQLAlchemy 2 async models, SQLite by default, PostgreSQL, Alembic, Redis cache.

Why one package: every durable fact (order journal, fills, positions, audit trail, halt
mirror) goes through :class:`~claudedex.storage.database.Database`, so SQLite and
PostgreSQL behave the same and migrations are applied in one place.
"""

from __future__ import annotations

from claudedex.execution.journal_entry import JournalEntry
from claudedex.storage.database import Database, database_url_for
from claudedex.storage.journal import TERMINAL_STATES, OrderJournal

__all__ = ["TERMINAL_STATES", "Database", "JournalEntry", "OrderJournal", "database_url_for"]
