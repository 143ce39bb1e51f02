"""Where a profile's control socket lives, and the wire format spoken on it.

Wire format: one JSON object per line. A request is ``{"cmd": NAME, "args": {...}}``; the
engine answers with any number of ``{"progress": TEXT}`` lines, then one final line,
``{"ok": true, "result": ...}`` or ``{"ok": false, "kind": ERROR_CLASS, "error": TEXT}``.

Why a socket path may leave the data dir: a Unix socket path is limited to 107 bytes
(``sun_path``); a long data dir gets its socket in a private 0700 directory under the
runtime dir instead, named by a hash of the data dir, so client and server agree.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from claudedex.errors import ClaudeDexError

SOCKET_NAME = "control.sock"
MAX_SUN_PATH = 100  # bytes, with margin below Linux's 108-byte sun_path
MAX_LINE = 1 << 20  # one request or answer line, bytes


def socket_path(data_dir: Path) -> Path:
    """The control socket for the profile whose data dir is ``data_dir``."""
    direct = data_dir.resolve() / SOCKET_NAME
    if len(os.fsencode(direct)) <= MAX_SUN_PATH:
        return direct
    digest = hashlib.sha256(os.fsencode(data_dir.resolve())).hexdigest()[:20]
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    private = base / f"claudedex-{os.getuid()}"
    private.mkdir(mode=0o700, exist_ok=True)
    info = private.lstat()
    if info.st_uid != os.getuid() or not private.is_dir() or private.is_symlink():
        raise ClaudeDexError(f"{private} is not a directory of yours: remove it, or set "
                             "XDG_RUNTIME_DIR to a private directory")
    os.chmod(private, 0o700)
    return private / f"{digest}.sock"
