"""Test-wide fixtures: an isolated CLAUDEDEX_HOME, and the paths to the Node tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own CLAUDEDEX_HOME so halt files and databases never leak."""
    home = tmp_path / "claudedex-home"
    home.mkdir()
    monkeypatch.setenv("CLAUDEDEX_HOME", str(home))
    yield home


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Commands configure structlog for their process (a log file, stderr); a test must not
    inherit another test's configuration (a closed stream, another test's data dir)."""
    import structlog

    yield
    structlog.reset_defaults()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ANVIL.exists():
        return
    skip = pytest.mark.skip(reason="anvil missing: run `npm ci` (make test does)")
    for item in items:
        if "anvil" in item.keywords:
            item.add_marker(skip)
