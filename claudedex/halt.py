"""The emergency stop as persisted state, checked by the signer.

Why a file and not only a database row: the halt must work when the database is slow or
down, and must survive a crash. It is written atomically (temp file, fsync, rename) and the
in-memory flag flips *before* the write, so the signer refuses from the first instant.

Why strict reading: anything but the record :meth:`HaltSwitch.set` writes (``[]``, ``null``,
a wrong type, bad UTF-8, a directory in its place) fails safe, as HALTED with a reason that
names the file; writing (``claudedex halt``, or ``claudedex resume`` after its confirmation)
always repairs it, moving a directory that stands in its place aside.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from claudedex.errors import StorageError


@dataclass(frozen=True, slots=True)
class HaltState:
    halted: bool
    reason: str = ""
    by: str = ""
    since: float = 0.0


def parse_state(raw: Any) -> HaltState | None:
    """The state a decoded halt file holds, or ``None`` when it is not a halt record."""
    if not isinstance(raw, dict) or not isinstance(raw.get("halted"), bool):
        return None
    reason, by, since = raw.get("reason", ""), raw.get("by", ""), raw.get("since", 0.0)
    if not isinstance(reason, str) or not isinstance(by, str):
        return None
    if isinstance(since, bool) or not isinstance(since, int | float) or not math.isfinite(since):
        return None
    return HaltState(raw["halted"], reason, by, float(since))


class HaltSwitch:
    """The halt flag; another process (``claudedex halt``) may flip it through the file.

    ``is_halted`` re-reads the file when its modification stamp changed, so a halt written
    by another process reaches the signer at its next check. ``watched=False`` is for a
    file no other process can reach (a backtest's scratch directory): the flag is then
    this process's alone and a check reads no file (a replay checks at every order step).
    """

    def __init__(self, path: Path, *, watched: bool = True) -> None:
        self._path = path
        self._watched = watched
        self._stamp = self._file_stamp()
        self._state = self._load()

    @property
    def path(self) -> Path:
        return self._path

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
        if stamp is None and before.halted:
            # deleted while halted: only `claudedex resume` (which writes the file) lifts a
            # halt, so a removed file fails safe like an unreadable one
            self._state = self._unreadable("removed while halted")
        else:
            self._state = self._load()
        return before.halted != self._state.halted

    def _unreadable(self, why: str) -> HaltState:
        # An unreadable halt file must fail safe: treat the engine as halted.
        return HaltState(True, reason=f"halt file {self._path} unreadable ({why}); treated as "
                         "HALTED until `claudedex resume` rewrites it", by="engine")

    def _load(self) -> HaltState:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return HaltState(False)
        except IsADirectoryError:
            return self._unreadable("a directory")
        except UnicodeDecodeError:
            return self._unreadable("not UTF-8 text")
        except OSError as exc:
            return self._unreadable(exc.strerror or type(exc).__name__)
        try:
            state = parse_state(json.loads(text))
        except ValueError:
            return self._unreadable("not JSON")
        return state if state is not None else self._unreadable("not a halt record")

    @property
    def state(self) -> HaltState:
        return self._state

    def is_halted(self) -> bool:
        if self._watched:
            self.refresh()
        return self._state.halted

    def set(self, halted: bool, reason: str, by: str) -> HaltState:
        """Flip the flag in memory, then persist it; :class:`StorageError` if the file cannot
        be written (the flag in this process has flipped all the same)."""
        self._state = HaltState(halted, reason, by, time.time())
        try:
            self._write()
        except OSError as exc:
            raise StorageError(f"cannot write halt file {self._path}: "
                               f"{exc.strerror or exc}") from None
        self._stamp = self._file_stamp()
        return self._state

    def _write(self) -> None:
        parent = self._path.parent
        if self._path.is_dir() and not self._path.is_symlink():
            # Not ours to delete: keep it, renamed, for the operator to look at.
            os.replace(self._path, parent / f"{self._path.name}.unreadable-{time.time_ns()}")
        fd, tmp = tempfile.mkstemp(prefix=f".{self._path.stem}-", suffix=".tmp", dir=parent)
        try:
            os.fchmod(fd, 0o644)  # what open() made under the usual umask: readable by tools
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(self._state), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
