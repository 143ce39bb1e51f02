"""Where a profile keeps its files: database, logs, halt state, devnet ground truth."""

from __future__ import annotations

import os
from pathlib import Path


def claudedex_home() -> Path:
    """``$CLAUDEDEX_HOME`` or ``~/.claudedex``; tests point it at a temp dir."""
    env = os.environ.get("CLAUDEDEX_HOME")
    return Path(env).expanduser() if env else Path.home() / ".claudedex"


def data_dir(profile_name: str) -> Path:
    path = claudedex_home() / profile_name
    path.mkdir(parents=True, exist_ok=True)
    return path
