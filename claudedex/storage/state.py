"""Engine key/value state, including a mirror of the emergency-stop flag.

Why a mirror and not the source of truth: :class:`claudedex.halt.HaltSwitch` (a fsynced
file) stays authoritative so a halt works while the database is down; the row lets the
TUI, ``claudedex orders`` and a PostgreSQL-backed dashboard see the halt too.
"""

from __future__ import annotations

from typing import Any

from claudedex.halt import HaltState
from claudedex.storage.database import Database
from claudedex.storage.models import EngineStateRow, utcnow
from claudedex.storage.upsert import upsert

HALT_KEY = "halt"
PEAKS_KEY = "exit_peaks"  # token -> the trailing stop's peak mark (quote wei, as text)


class EngineStateRepo:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, key: str, default: Any = None) -> Any:
        async with self._db.session() as session:
            row = await session.get(EngineStateRow, key)
        return default if row is None else row.value

    async def set(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under ``key`` (replacing any previous one)."""
        stmt = upsert(self._db.dialect, EngineStateRow, ["key"], ["value", "updated_at"])
        async with self._db.session() as session:
            await session.execute(stmt, [{"key": key, "value": value, "updated_at": utcnow()}])

    async def mirror_halt(self, state: HaltState) -> None:
        await self.set(
            HALT_KEY,
            {"halted": state.halted, "reason": state.reason, "by": state.by,
             "since": state.since},
        )

    async def load_halt(self) -> HaltState | None:
        raw = await self.get(HALT_KEY)
        if not isinstance(raw, dict):
            return None
        return HaltState(bool(raw.get("halted")), str(raw.get("reason", "")),
                         str(raw.get("by", "")), float(raw.get("since", 0.0)))
