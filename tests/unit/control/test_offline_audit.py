"""`claudedex halt` / `resume` with no engine up leave audit rows (the engine audits them
itself when it runs); the stop never waits on the audit."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner


def test_halt_and_resume_without_an_engine_are_audited() -> None:
    from claudedex.builder import storage_url
    from claudedex.config import load_profile
    from claudedex.paths import data_dir
    from claudedex.security.audit import AuditLog
    from claudedex.storage.database import Database
    from cli.main import app

    runner = CliRunner()
    assert runner.invoke(app, ["halt", "--reason", "drill"]).exit_code == 0
    assert runner.invoke(app, ["resume", "--yes"]).exit_code == 0
    profile = load_profile("devnet")
    directory = data_dir("devnet")

    async def rows() -> list[tuple[str, str]]:
        db = Database(storage_url(profile, directory))
        await db.open()
        try:
            log = AuditLog(db, key_dir=directory)
            assert (await log.verify_detail()).ok
            return [(e.actor, e.action) for e in await log.entries()]
        finally:
            await db.close()

    assert asyncio.run(rows())[-2:] == [("cli", "halt"), ("cli", "resume")]


def test_with_an_engine_holding_the_profile_the_cli_leaves_the_audit_to_it(tmp_path) -> None:
    from claudedex.config import load_profile
    from claudedex.control.lock import ProfileLock
    from claudedex.control.offline import audit_offline

    lock = ProfileLock(tmp_path)
    lock.acquire()
    try:
        done = asyncio.run(audit_offline(load_profile("devnet"), tmp_path, "cli", "halt", {}))
    finally:
        lock.release()
    assert done is False
