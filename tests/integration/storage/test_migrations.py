"""Migrations: the packaged initial revision matches the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from claudedex.storage import Database
from claudedex.storage.migrate import head_revision
from claudedex.storage.models import Base

ROOT = Path(__file__).resolve().parents[3]
TABLES = {"tokens", "pairs", "risk_reports", "ml_scores", "signals", "proposals", "orders",
          "order_events", "transactions", "fills", "positions", "audit_log", "engine_state",
          "deployer_tokens"}


def _diff(conn: Connection) -> list[Any]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(ctx, Base.metadata))


async def test_open_migrates_to_head_and_models_match(db: Database) -> None:
    assert await db.revision() == head_revision()
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        diff = await conn.run_sync(_diff)
    assert TABLES <= tables
    assert diff == []


async def test_open_twice_is_idempotent(db_url: str) -> None:
    for _ in range(2):
        async with Database(db_url) as db:
            assert await db.revision() == head_revision()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120, check=False,
    )


async def test_cli_db_upgrade_and_current(db_url: str) -> None:
    before = await asyncio.to_thread(_cli, "db", "current", "--url", db_url)
    assert before.returncode == 0, before.stderr
    assert "current (empty)" in before.stdout
    up = await asyncio.to_thread(_cli, "db", "upgrade", "--url", db_url)
    assert up.returncode == 0, up.stderr
    assert f"at revision {head_revision()}" in up.stdout
    after = await asyncio.to_thread(_cli, "db", "current", "--url", db_url)
    assert "up to date" in after.stdout


def test_cli_db_upgrade_uses_the_profile_data_dir(tmp_path: Path) -> None:
    home = Path(os.environ["CLAUDEDEX_HOME"])
    result = _cli("db", "upgrade", "--profile", "devnet")
    assert result.returncode == 0, result.stderr
    assert (home / "devnet" / "claudedex.db").is_file()


def test_cli_db_rejects_bad_url() -> None:
    result = _cli("db", "upgrade", "--url", "mysql://u@h/x")
    assert result.returncode == 2
    assert "unsupported database" in result.stderr
