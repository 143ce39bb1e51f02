"""The revocation list: token ids refused before their expiry (``claudedex api revoke``).

Why a file in the data dir: the CLI revokes while the engine runs; the engine re-reads the
file when its modification time changes, so a revocation takes effect on the next request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from claudedex.api.tokens import TokenError
from claudedex.security.files import write_private_atomic

REVOKED_FILE = "api-revoked.json"


class RevocationList:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / REVOKED_FILE
        self._stamp: int | None = None
        self._ids: frozenset[str] = frozenset()
        self._damaged = False

    def ids(self) -> frozenset[str]:
        """The revoked ids (re-read when the file changed; empty when there is none).

        Raises TokenError while the file is unreadable: a list that cannot be read fails
        closed (every token refused), never open (a revoked token let back in).
        """
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self._stamp, self._ids, self._damaged = None, frozenset(), False
            return self._ids
        if stamp != self._stamp:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                revoked = data["revoked"]
                if not isinstance(revoked, list):
                    raise TypeError("revoked is not a list")
                self._ids, self._damaged = frozenset(str(x) for x in revoked), False
            except (OSError, ValueError, KeyError, TypeError):
                self._damaged = True  # the ids read last stay, for revoke() to keep
            self._stamp = stamp
        if self._damaged:
            raise TokenError(f"the revocation list {self.path} is unreadable: every token is "
                             "refused until `claudedex api revoke ID` rewrites it")
        return self._ids

    def is_revoked(self, jti: str) -> bool:
        return jti in self.ids()

    def revoke(self, jti: str) -> None:
        """Add ``jti`` (written atomically, 0600); rewrites an unreadable list, keeping
        the ids last read from it."""
        try:
            known = self.ids()
        except TokenError:  # keep every whole id still legible in the damaged text
            try:
                text = self.path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            known = self._ids | frozenset(re.findall(r"[0-9a-f]{32}", text))
        ids = sorted(known | {jti})
        write_private_atomic(self.path, (json.dumps({"revoked": ids}) + "\n").encode())
