"""A daily-cap window that survives restarts: one JSON file of ``[timestamp, wei]`` pairs.

Why optional: the guard keeps its window in memory by default; a restart would then reset
the daily cap. Passing this store to :class:`GuardedSigner` (``spend_store=``) closes that
gap. Entries older than the window are pruned on every write; writes are atomic.

The file is the window, not a copy taken at open: the console and a ``claudedex trade`` run
share it, so every check re-reads it and every write merges under an exclusive lock, or
each process would count only its own spending and overwrite the other's.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
        self._spends = self._read()
        return list(self._spends)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise read-merge-write with other processes sharing the window."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        lock = self._path.with_name(self._path.name + ".lock")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StorageError(f"{lock}: cannot lock the spend window ({exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def record(self, at: float, value_wei: int) -> None:
        with self._locked():
            self._write(at, value_wei)

    def _write(self, at: float, value_wei: int) -> None:
        kept = [(t, v) for t, v in self._read() if t > at - WINDOW_S]
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
