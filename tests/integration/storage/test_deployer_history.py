"""Deployer history in the database (SQLite and PostgreSQL): recorded, updated, per chain,
and seen by a second connection (as ``scan`` and the engine see each other's)."""

from __future__ import annotations

from claudedex.domain import Verdict
from claudedex.storage import Database
from claudedex.storage.migrate import head_revision
from claudedex.storage.repo_deployers import DeployerRepo

DEPLOYER = "0x" + "Ab" * 20
TOKEN_A = "0x" + "01" * 20
TOKEN_B = "0x" + "02" * 20


async def test_record_and_read_back_latest_verdict_per_chain(db: Database) -> None:
    repo = DeployerRepo(db)
    assert await repo.tokens(1, DEPLOYER) == {}
    await repo.record(1, DEPLOYER, TOKEN_A, Verdict.RISKY)
    await repo.record(1, DEPLOYER.lower(), TOKEN_A.upper().replace("0X", "0x"), Verdict.SCAM)
    await repo.record(1, DEPLOYER, TOKEN_B, Verdict.SAFE)
    await repo.record(56, DEPLOYER, TOKEN_B, Verdict.SCAM)
    assert await repo.tokens(1, DEPLOYER.upper().replace("0X", "0x")) == {
        TOKEN_A: Verdict.SCAM, TOKEN_B: Verdict.SAFE}
    assert await repo.tokens(56, DEPLOYER) == {TOKEN_B: Verdict.SCAM}


async def test_history_survives_reopening_the_database(db_url: str) -> None:
    async with Database(db_url) as first:
        await DeployerRepo(first).record(31337, DEPLOYER, TOKEN_A, Verdict.SCAM)
    async with Database(db_url) as second:
        assert await second.revision() == head_revision()
        assert await DeployerRepo(second).tokens(31337, DEPLOYER) == {TOKEN_A: Verdict.SCAM}
