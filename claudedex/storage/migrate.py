"""Programmatic Alembic: upgrade to head and read the current revision.

Why programmatic: the migrations ship inside the package, so an installed ``claudedex`` can
migrate any database without an ``alembic.ini`` lying around in the working directory.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str = "") -> Config:
    """An Alembic config pointing at the packaged migrations (``url`` only for the CLI tool)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no Alembic revisions found in {MIGRATIONS_DIR}")
    return head


def upgrade_head(connection: Connection) -> None:
    """Apply every pending revision on ``connection`` (called via ``run_sync``)."""
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated."""
    return MigrationContext.configure(connection).get_current_revision()
