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
        try:
            Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the directory of database {path}: "
                               f"{exc.strerror or exc}") from None


SQLITE_MAGIC = b"SQLite format 3\x00"
# What SQLite says of a file that is not (or no longer) one of its databases.
CORRUPT_MARKERS = ("file is not a database", "database disk image is malformed")


def _corrupt(path: str, why: str) -> StorageError:
    return StorageError(
        f"database {path} is {why}: move it aside (mv {path} {path}.corrupt) and run "
        "`claudedex db upgrade` for a fresh one, or restore it from a backup")


def _check_sqlite_file(path: str | None) -> None:
    """Refuse, with one line naming the file, a path that holds no SQLite database."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    if file.is_dir():
        raise _corrupt(path, "a directory, not a SQLite database")
    try:
        with file.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return  # a fresh database: SQLite creates it
    except OSError as exc:
        raise StorageError(f"cannot read database {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_MAGIC:  # an empty file is a fresh database to SQLite
        raise _corrupt(path, "not a SQLite database (corrupt, or another kind of file)")


def _one_line(exc: BaseException) -> str:
    """The driver's own message (SQLAlchemy adds a second, 'Background on this error',
    line and the SQL), first line only."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return text[0] if text else type(inner).__name__


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
            _check_sqlite_file(make_url(self._url).database)
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
        from claudedex.storage.migrate import current_revision, upgrade_head  # alembic: slow

        try:
            async with self.engine.begin() as conn:
                await conn.run_sync(upgrade_head)
            async with self.engine.connect() as conn:
                revision = await conn.run_sync(current_revision)
        except (SQLAlchemyError, OSError) as exc:
            raise self._failure("cannot migrate", exc) from exc
        log.info("database.migrated", url=redact(self._url), revision=revision)
        return revision

    async def revision(self) -> str | None:
        from claudedex.storage.migrate import current_revision

        try:
            async with self.engine.connect() as conn:
                return await conn.run_sync(current_revision)
        except (SQLAlchemyError, OSError) as exc:
            raise self._failure("cannot read the revision of", exc) from exc

    def _failure(self, doing: str, exc: BaseException) -> StorageError:
        """One line: a corrupt SQLite file says which file and what to do."""
        detail = _one_line(exc)
        database = make_url(self._url).database
        if self.dialect == "sqlite" and database and any(
                m in detail.lower() for m in CORRUPT_MARKERS):
            return _corrupt(database, f"corrupt ({detail})")
        return StorageError(f"{doing} {redact(self._url)}: {detail}")

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
