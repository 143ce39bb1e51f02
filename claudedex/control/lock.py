"""The profile's writer lock: held by the one process that may sign or journal.

Why ``filelock``: an OS lock (``flock``) is released by the kernel when its holder dies,
even by ``kill -9``, so a crash never leaves a stale lock to clean by hand.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from claudedex.errors import ClaudeDexError

LOCK_NAME = "engine.lock"


class ProfileBusy(ClaudeDexError):
    """Another process holds the profile's writer lock."""


class ProfileLock:
    """``acquire()`` without waiting (raises :class:`ProfileBusy`); ``release()`` at stop."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._lock = FileLock(str(self.path), timeout=0, is_singleton=False)

    @property
    def held(self) -> bool:
        return bool(self._lock.is_locked)

    def acquire(self) -> None:
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise ProfileBusy(f"another claudedex process holds {self.path}") from None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)
