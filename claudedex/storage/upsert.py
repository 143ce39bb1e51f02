"""Dialect-aware ``INSERT ... ON CONFLICT``, the same statement on SQLite and PostgreSQL.

Why: replaying an event (after a restart or a duplicate delivery) must be a no-op or an
update, never a crash on a unique constraint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def upsert(
    dialect: str, model: Any, keys: Sequence[str], update: Sequence[str] = ()
) -> Insert:
    """Insert into ``model``; on a conflict on ``keys`` update ``update`` (or do nothing)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # PostgreSQL runs only

        pg = pg_insert(model)
        if not update:
            return pg.on_conflict_do_nothing(index_elements=list(keys))
        return pg.on_conflict_do_update(
            index_elements=list(keys), set_={c: pg.excluded[c] for c in update}
        )
    lite = sqlite_insert(model)
    if not update:
        return lite.on_conflict_do_nothing(index_elements=list(keys))
    return lite.on_conflict_do_update(
        index_elements=list(keys), set_={c: lite.excluded[c] for c in update}
    )
