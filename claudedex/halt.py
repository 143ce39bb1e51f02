"""The emergency stop as persisted state, checked by the signer.

Why a file and not only a database row: the halt must work when the database is slow or
down, and must survive a crash. It is written atomically (temp file, fsync, rename) and the
in-memory flag flips *before* the write, so the signer refuses from the first instant.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class HaltState:
    halted: bool
    reason: str = ""
    by: str = ""
    since: float = 0.0


class HaltSwitch:
    """The halt flag; another process (``claudedex halt``) may flip it through the file.

    ``is_halted`` re-reads the file when its modification stamp changed, so a halt written
    by another process reaches the signer at its next check.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp = self._file_stamp()
        self._state = self._load()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            return None
        except OSError:
            return (-1, -1)
        return (st.st_mtime_ns, st.st_ino)

    def refresh(self) -> bool:
        """Re-read the file if another process changed it; True when the state changed."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        before = self._state
        self._state = self._load()
        return before.halted != self._state.halted

    def _load(self) -> HaltState:
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return HaltState(False)
        except (OSError, ValueError):
            # An unreadable halt file must fail safe: treat the engine as halted.
            return HaltState(True, reason=f"halt file {self._path} unreadable", by="engine")
        return HaltState(bool(raw.get("halted")), str(raw.get("reason", "")),
                         str(raw.get("by", "")), float(raw.get("since", 0.0)))

    @property
    def state(self) -> HaltState:
        return self._state

    def is_halted(self) -> bool:
        self.refresh()
        return self._state.halted

    def set(self, halted: bool, reason: str, by: str) -> HaltState:
        self._state = HaltState(halted, reason, by, time.time())
        tmp = self._path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(asdict(self._state), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._path)
        self._stamp = self._file_stamp()
        dir_fd = os.open(self._path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return self._state
