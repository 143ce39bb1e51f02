"""Ground truth of the simulated market: which token is which family, and when scams fire.

Why a separate append-only file: the evaluation of the safety checks needs the truth, but
the checks themselves must never see it. The file lives in the devnet data dir and nothing
under ``claudedex/safety`` may open it; its path is only in the manifest for scorers.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

LABELS_FILE = "labels.jsonl"


class LabelWriter:
    """Append one JSON object per line; flushed at once so a crash loses nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.path.write_text("", encoding="utf-8")  # one devnet run = one truth file

    def write(self, event: str, **fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = {"event": event, "ts": round(time.time(), 3), **fields}
        line = json.dumps(record, sort_keys=True, separators=(",", ":"))
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return record


def read_labels(path: Path) -> list[dict[str, Any]]:
    """Read every record (for scorers and tests, never for safety checks)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
