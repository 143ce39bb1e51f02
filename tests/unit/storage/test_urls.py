"""Database URLs: async drivers, profile resolution, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudedex.config import parse_profile
from claudedex.errors import ConfigError
from claudedex.storage.database import database_url_for, normalize_url, redact
from claudedex.storage.migrate import MIGRATIONS_DIR, head_revision


def _profile(storage: dict[str, str]) -> object:
    return parse_profile(
        {"name": "t", "mode": "devnet", "chain": {"chain_id": 31337, "name": "anvil"},
         "storage": storage},
        "test",
    )


def test_plain_urls_get_async_drivers() -> None:
    assert normalize_url("postgresql://u:p@h:5/db").startswith("postgresql+asyncpg://u:p@h:5/db")
    assert normalize_url("postgres://u@h/db").startswith("postgresql+asyncpg://")
    assert normalize_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"


def test_unsupported_or_garbage_urls_are_user_errors() -> None:
    with pytest.raises(ConfigError, match="unsupported database"):
        normalize_url("mysql://u@h/x")
    with pytest.raises(ConfigError, match="not a database URL"):
        normalize_url("not a url")


def test_redact_hides_password() -> None:
    assert "secret" not in redact("postgresql+asyncpg://u:secret@h/db")


def test_profile_default_is_sqlite_in_data_dir(_isolated_home: Path) -> None:
    url = database_url_for(_profile({}))  # type: ignore[arg-type]
    assert url == f"sqlite+aiosqlite:///{_isolated_home / 't' / 'claudedex.db'}"


def test_profile_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = _profile({"url_env": "CDX_TEST_DB"})
    monkeypatch.delenv("CDX_TEST_DB", raising=False)
    with pytest.raises(ConfigError, match="CDX_TEST_DB"):
        database_url_for(profile)  # type: ignore[arg-type]
    monkeypatch.setenv("CDX_TEST_DB", "postgresql://u@db/claudedex")
    assert database_url_for(profile) == "postgresql+asyncpg://u@db/claudedex"  # type: ignore[arg-type]


def test_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "__init__.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "__init__.py").is_file()
    assert head_revision() == "0002"  # 0002: deployer history (issue 14)
