"""The revocation list: token ids refused before their expiry (``claudedex api revoke``).

Why a file in the data dir: the CLI revokes while the engine runs; the engine re-reads the
file when its modification time changes, so a revocation takes effect on the next request.
"""

from __future__ import annotations

import json
from pathlib import Path

from claudedex.security.files import write_private_atomic

REVOKED_FILE = "api-revoked.json"


class RevocationList:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / REVOKED_FILE
        self._stamp: int | None = None
        self._ids: frozenset[str] = frozenset()

    def ids(self) -> frozenset[str]:
        """The revoked ids (re-read when the file changed; empty when there is none)."""
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self._stamp, self._ids = None, frozenset()
            return self._ids
        if stamp != self._stamp:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._ids = frozenset(str(x) for x in data.get("revoked", []))
            except (OSError, ValueError, AttributeError):
                pass  # a half-written or damaged list: keep the last good one
            self._stamp = stamp
        return self._ids

    def is_revoked(self, jti: str) -> bool:
        return jti in self.ids()

    def revoke(self, jti: str) -> None:
        """Add ``jti`` (written atomically, 0600)."""
        ids = sorted(self.ids() | {jti})
        write_private_atomic(self.path, (json.dumps({"revoked": ids}) + "\n").encode())
