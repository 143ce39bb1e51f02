"""Files that hold secrets: mode 0600 inside a 0700 directory, from the moment they exist.

Why the mode is given to ``os.open`` (not set by a later ``chmod``): a file created with the
default umask is readable by others until the chmod, and anyone who opened it in that window
keeps the descriptor. A file that already exists with a looser mode is tightened before the
first new byte is written to it. Atomic writes go through a ``mkstemp`` file (created 0600)
in the same directory, fsynced, then renamed over the target.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def mode_of(path: Path) -> int:
    """The permission bits of ``path`` (``0o600`` style)."""
    return stat.S_IMODE(path.stat().st_mode)


def private_dir(path: Path) -> Path:
    """Create ``path`` (with parents) if needed and make it 0700; returns ``path``."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if mode_of(path) != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def tighten(path: Path) -> None:
    """Make an existing file 0600 (no-op when it already is)."""
    if mode_of(path) != PRIVATE_FILE_MODE:
        os.chmod(path, PRIVATE_FILE_MODE)


def open_private(path: Path, flags: int) -> int:
    """A descriptor on ``path``, created 0600 (an existing file is tightened to 0600 first)."""
    fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd


def open_private_append(path: Path) -> BinaryIO:
    """``open(path, "ab")``, but the file is 0600 before anything is appended."""
    return os.fdopen(open_private(path, os.O_WRONLY | os.O_APPEND), "ab")


def create_private_empty(path: Path) -> None:
    """Replace ``path`` with an empty 0600 file (for a program that writes into it later)."""
    path.unlink(missing_ok=True)
    os.close(open_private(path, os.O_WRONLY | os.O_EXCL))


def _temp_with(directory: Path, data: bytes, prefix: str) -> str:
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=directory)  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_private_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once (0600, fsynced, renamed into place)."""
    tmp = _temp_with(path.parent, data, f".{path.name}-")
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_private_exclusive(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data`` unless it exists; True when this call created it.

    Readers never see it half-written: the data is complete in a temp file before it is
    hard-linked into place, and the link fails when another writer got there first.
    """
    tmp = _temp_with(path.parent, data, f".{path.name}-")
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        Path(tmp).unlink(missing_ok=True)
    return True
