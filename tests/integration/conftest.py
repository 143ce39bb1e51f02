"""Session fixtures for integration tests: real PostgreSQL and Redis servers.

A missing server binary FAILS the tests that need it (with the install command), unless
CLAUDEDEX_ALLOW_SKIP_SERVERS=1, so a CI image without the servers cannot pass silently.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import pytest


def _load_servers() -> ModuleType:
    name = "claudedex_test_servers"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("servers.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


servers = _load_servers()


def _missing(exc: Exception) -> None:
    if os.environ.get("CLAUDEDEX_ALLOW_SKIP_SERVERS") == "1":
        pytest.skip(str(exc))
    pytest.fail(f"{exc} (or set CLAUDEDEX_ALLOW_SKIP_SERVERS=1 to skip)", pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    try:
        server = servers.start_postgres()
    except servers.ServerMissing as exc:
        _missing(exc)
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: object) -> str:
    """URL of the ``postgres`` database on a fresh PostgreSQL 15 server (session-wide)."""
    return str(postgres_server.url)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    try:
        server = servers.start_redis()
    except servers.ServerMissing as exc:
        _missing(exc)
        raise
    try:
        yield server.url
    finally:
        server.stop()


async def _pg_admin(server_url: str, sql: str) -> None:
    import asyncpg

    dsn = server_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database per test: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'claudedex.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    await _pg_admin(server.url, f'CREATE DATABASE "{name}"')
    try:
        yield server.url_for(name)
    finally:
        await _pg_admin(server.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[object]:
    """An opened, migrated :class:`claudedex.storage.Database` on ``db_url``."""
    from claudedex.storage import Database

    database = Database(db_url)
    await database.open()
    try:
        yield database
    finally:
        await database.close()
