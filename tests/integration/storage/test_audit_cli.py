"""``claudedex audit verify`` on a keyed chain: one line per result, exit 0 / 1 / 2."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from claudedex.security.audit import AuditLog
from claudedex.storage import Database

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120, check=False,
    )


async def _chain(url: str, key_dir: Path | None, n: int) -> list[int]:
    async with Database(url) as db:
        log = AuditLog(db, key_dir=key_dir)
        for i in range(n):
            await log.append("operator", "approve", {"proposal": f"p-{i}"})
        return [e.id for e in await log.entries()]


async def _sql(url: str, sql: str, **params: object) -> None:
    async with Database(url) as db, db.session() as session:
        await session.execute(text(sql), params)


async def test_profile_default_uses_the_data_dir_key(_isolated_home: Path) -> None:
    data = _isolated_home / "devnet"  # where `claudedex` keeps the devnet profile's files
    url = f"sqlite+aiosqlite:///{data / 'claudedex.db'}"
    ids = await _chain(url, data, 4)
    ok = await asyncio.to_thread(_cli, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == [
        "OK (keyed): 4 audit entries, chain intact, MACs and anchor match (4 anchored)"]
    await _sql(url, "DELETE FROM audit_log WHERE id = :i", i=ids[-1])
    bad = await asyncio.to_thread(_cli, "audit", "verify", "--profile", "devnet")
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [
        "TAMPERED (keyed): 1 row(s) missing: the anchor records 4 rows, the table holds 3 "
        "(3 rows before it verified)"]
    secret = (data / "audit.key").read_text().strip()
    assert secret not in ok.stdout + ok.stderr + bad.stdout + bad.stderr


async def test_url_with_key_dir_reports_the_edited_row(tmp_path: Path) -> None:
    url, keys = f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", tmp_path / "keys"
    ids = await _chain(url, keys, 3)
    await _sql(url, "UPDATE audit_log SET actor = 'mallory' WHERE id = :i", i=ids[1])
    bad = await asyncio.to_thread(_cli, "audit", "verify", "--url", url, "--key-dir", str(keys))
    assert bad.returncode == 1
    assert len(bad.stdout.splitlines()) == 1
    assert f"audit row {ids[1]}: row content does not match its MAC" in bad.stdout
    alone = await asyncio.to_thread(_cli, "audit", "verify", "--url", url)  # no key: unkeyed
    assert alone.returncode == 1
    assert "TAMPERED (unkeyed)" in alone.stdout and "--key-dir" in alone.stdout


async def test_url_alone_on_a_legacy_chain_says_unkeyed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'legacy.db'}"
    await _chain(url, None, 2)
    ok = await asyncio.to_thread(_cli, "audit", "verify", "--url", url)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK (unkeyed (no key directory given)): 2 audit entries")
    assert len(ok.stdout.splitlines()) == 1


def test_missing_key_dir_is_bad_input(tmp_path: Path) -> None:
    result = _cli("audit", "verify", "--url", f"sqlite:///{tmp_path / 'x.db'}",
                  "--key-dir", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: --key-dir {tmp_path / 'nope'}: no such directory"
    assert not (tmp_path / "x.db").exists()  # nothing half-done


def test_missing_database_is_bad_input_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = _cli("audit", "verify", "--url", f"sqlite:///{missing}")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: no database at {missing}: nothing to verify"
    assert not missing.exists()
