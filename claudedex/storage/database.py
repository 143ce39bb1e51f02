"""The database handle: an async engine, migrations on open, and sessions.

Why SQLite pragmas on every connection: the order journal promises that an acknowledged
write survives a crash, which on SQLite means WAL with ``synchronous=FULL`` (fsync on each
commit); ``foreign_keys`` is off by default in SQLite and must be switched on per connection.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from claudedex.errors import ConfigError, StorageError
from claudedex.paths import data_dir
from claudedex.storage.migrate import current_revision, upgrade_head

if TYPE_CHECKING:
    from claudedex.config import Profile

log = structlog.get_logger(__name__)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


def normalize_url(url: str) -> str:
    """Pick the async driver for plain ``postgresql://`` / ``sqlite://`` URLs."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {redact(url)!r} ({exc})") from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    return parsed.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL with its password hidden, for logs and CLI output."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable url>"


def database_url_for(profile: Profile) -> str:
    """``storage.url``, else the env var named by ``storage.url_env``, else SQLite in data dir."""
    if profile.storage.url:
        return normalize_url(profile.storage.url)
    if profile.storage.url_env:
        value = os.environ.get(profile.storage.url_env, "")
        if not value:
            raise ConfigError(
                f"profile {profile.name}: environment variable {profile.storage.url_env} "
                "(storage.url_env) is not set; export it with your database URL"
            )
        return normalize_url(value)
    return f"sqlite+aiosqlite:///{data_dir(profile.name) / 'claudedex.db'}"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _ensure_parent_dir(path: str | None) -> None:
    if path and path != ":memory:":
        Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)


class Database:
    """One async engine for one database URL; ``open()`` migrates to the latest schema."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self._url = normalize_url(url)
        self._echo = echo
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None

    @classmethod
    def for_profile(cls, profile: Profile) -> Database:
        return cls(database_url_for(profile))

    @property
    def url(self) -> str:
        return self._url

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return make_url(self._url).get_backend_name()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise StorageError("database is not open; call `await Database.open()` first")
        return self._engine

    async def open(self, *, migrate: bool = True) -> None:
        """Create the engine and (by default) upgrade the schema to the newest revision."""
        if self._engine is not None:
            return
        kwargs: dict[str, Any] = {"echo": self._echo}
        if self.dialect == "postgresql":
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        else:
            _ensure_parent_dir(make_url(self._url).database)
        engine = create_async_engine(self._url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        if migrate:
            try:
                await self.upgrade()
            except BaseException:
                await self.close()
                raise

    async def upgrade(self) -> str | None:
        """Apply pending migrations; returns the revision now current."""
        try:
            async with self.engine.begin() as conn:
                await conn.run_sync(upgrade_head)
            async with self.engine.connect() as conn:
                revision = await conn.run_sync(current_revision)
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(f"cannot migrate {redact(self._url)}: {exc}") from exc
        log.info("database.migrated", url=redact(self._url), revision=revision)
        return revision

    async def revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(current_revision)

    async def close(self) -> None:
        if self._engine is not None:
            engine, self._engine, self._sessions = self._engine, None, None
            await engine.dispose()

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        if self._sessions is None:
            raise StorageError("database is not open; call `await Database.open()` first")
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
