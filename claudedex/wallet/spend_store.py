"""A daily-cap window that survives restarts: one JSON file of ``[timestamp, wei]`` pairs.

Why optional: the guard keeps its window in memory by default; a restart would then reset
the daily cap. Passing this store to :class:`GuardedSigner` (``spend_store=``) closes that
gap. Entries older than the window are pruned on every write; writes are atomic.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from claudedex.errors import StorageError

WINDOW_S = 86_400.0


class JsonSpendStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._spends = self._read()

    def _read(self) -> list[tuple[float, int]]:
        if not self._path.exists():
            return []
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
            return [(float(at), int(wei)) for at, wei in raw]
        except (OSError, ValueError, TypeError) as exc:
            # fail closed: an unreadable window must not silently become "nothing spent"
            raise StorageError(f"{self._path}: unreadable spend window ({exc})") from None

    def load(self) -> list[tuple[float, int]]:
        return list(self._spends)

    def record(self, at: float, value_wei: int) -> None:
        kept = [(t, v) for t, v in self._spends if t > at - WINDOW_S]
        kept.append((at, value_wei))
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".spend-", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump([[t, str(v)] for t, v in kept], fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StorageError(f"{self._path}: cannot persist spend window ({exc})") from None
        self._spends = kept
