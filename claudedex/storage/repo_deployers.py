"""Deployer history in the database: the safety layer's record of who launched what.

Why a table of its own: the engine's SafetyAnalyzer and ``claudedex scan`` are different
processes; both judge tokens and both want to know, when a deployer's next token appears,
that we called one of its earlier tokens a scam. One row per (chain, deployer, token) with
the latest verdict; rewriting it is an upsert, so replays and re-judgements never conflict.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from claudedex.domain import Verdict
from claudedex.errors import StorageError
from claudedex.storage.database import Database
from claudedex.storage.models import DeployerTokenRow, utcnow
from claudedex.storage.upsert import upsert


class DeployerRepo:
    """DeployerStore on a :class:`Database` (SQLite or PostgreSQL)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def record(self, chain_id: int, deployer: str, token: str, verdict: Verdict) -> None:
        """Insert, or update the verdict of, ``deployer``'s ``token`` (addresses lower-cased).

        Raises StorageError when the database fails."""
        now = utcnow()
        row = {"chain_id": chain_id, "deployer": deployer.lower(), "token": token.lower(),
               "verdict": verdict.value, "first_seen_at": now, "updated_at": now}
        stmt = upsert(self._db.dialect, DeployerTokenRow, ["chain_id", "deployer", "token"],
                      ["verdict", "updated_at"])
        try:
            async with self._db.session() as session:
                await session.execute(stmt, [row])
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot record deployer history: {exc}") from exc

    async def tokens(self, chain_id: int, deployer: str) -> dict[str, Verdict]:
        """Every token of ``deployer`` on ``chain_id`` -> its latest verdict."""
        stmt = select(DeployerTokenRow.token, DeployerTokenRow.verdict).where(
            DeployerTokenRow.chain_id == chain_id,
            DeployerTokenRow.deployer == deployer.lower())
        try:
            async with self._db.session() as session:
                rows = (await session.execute(stmt)).all()
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read deployer history: {exc}") from exc
        return {str(t): Verdict(str(v)) for t, v in rows}
