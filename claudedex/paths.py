"""Where a profile keeps its files: database, logs, halt state, devnet ground truth.

Why the checks: the data dir is where the engine journals orders and persists the halt
flag, so a dir it cannot write must stop a command before anything starts, with one line
that says which path and why; and a profile name is one path component, so a crafted
``name = "../x"`` can never put a data dir outside ``CLAUDEDEX_HOME``.
"""

from __future__ import annotations

import os
from pathlib import Path

from claudedex.errors import DataDirError

_HINT = "set CLAUDEDEX_HOME to a writable directory"


def claudedex_home() -> Path:
    """``$CLAUDEDEX_HOME`` or ``~/.claudedex``; tests point it at a temp dir."""
    env = os.environ.get("CLAUDEDEX_HOME")
    return Path(env).expanduser() if env else Path.home() / ".claudedex"


def check_profile_name(name: str) -> str:
    """``name`` if it is one plain path component (the data dir's name), else raise."""
    if (not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name
            or name != name.strip()):
        raise DataDirError(f"profile name {name!r} cannot name a data dir: use letters, "
                           "digits, '.', '_' or '-' (no '/', no '..', not empty)")
    return name


def data_dir(profile_name: str) -> Path:
    """``<home>/<profile_name>``, created if needed; refused unless it is a writable
    directory directly inside the home (checked on the normalised path, so ``..`` cannot
    escape; a symlink the operator placed there is honoured)."""
    home = claudedex_home()
    path = home / check_profile_name(profile_name)
    if Path(os.path.abspath(path)).parent != Path(os.path.abspath(home)):
        raise DataDirError(f"data dir {path} for profile {profile_name!r} is outside {home}")
    if home.exists() and not home.is_dir():
        raise DataDirError(f"CLAUDEDEX_HOME {home} is not a directory; {_HINT}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirError(f"data dir {path} exists and is not a directory; move it aside "
                           f"or {_HINT}") from None
    except OSError as exc:
        raise DataDirError(f"cannot create data dir {path}: {exc.strerror or exc}; "
                           f"{_HINT}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(f"data dir {path} is not writable; {_HINT}")
    return path
