"""A backtest's scratch database: the models' schema is the migrated schema, text for text.

Why: the replay builds its throwaway SQLite database with ``create_all`` instead of running
the Alembic migrations (their start-up cost is paid on every ``claudedex backtest``). That is
only honest while both paths give the same tables and indexes; this test fails when a new
migration and the models drift apart.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from claudedex.storage import Database

SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


def _schema(path: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(SCHEMA).fetchall()
    return [r for r in rows if r[2] != "alembic_version"]  # the migrations' own bookkeeping


async def test_scratch_schema_equals_the_migrated_schema(tmp_path: Path) -> None:
    migrated, scratch = tmp_path / "migrated.db", tmp_path / "scratch.db"
    db = Database(f"sqlite+aiosqlite:///{migrated}")
    await db.open()
    await db.close()
    db = Database(f"sqlite+aiosqlite:///{scratch}")
    await db.open(migrate=False)
    await db.create_scratch_schema()
    assert await db.revision() is None  # no migration history recorded
    await db.close()
    assert len(_schema(migrated)) > 10  # tables and their indexes
    assert _schema(scratch) == _schema(migrated)
