"""Where discovery resumes from after a restart: last processed block and known pairs.

Why persist the pairs too: PairDiscovered must fire once per pair even across restarts, and
Sync events can only be turned into prices for pairs whose token order we remember.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

from claudedex.errors import StorageError


class BlockStateStore(Protocol):
    """Last processed block per follower key, and the pairs each follower knows."""

    def get_last_block(self, key: str) -> int | None: ...

    def set_last_block(self, key: str, block: int) -> None: ...

    def known_pairs(self, key: str) -> dict[str, tuple[str, bool]]: ...

    def add_pair(self, key: str, pair: str, token: str, quote_is_token0: bool) -> None: ...


class MemoryStateStore:
    """In-memory store (tests, one-shot runs)."""

    def __init__(self) -> None:
        self.blocks: dict[str, int] = {}
        self.pairs: dict[str, dict[str, tuple[str, bool]]] = {}

    def get_last_block(self, key: str) -> int | None:
        return self.blocks.get(key)

    def set_last_block(self, key: str, block: int) -> None:
        self.blocks[key] = block

    def known_pairs(self, key: str) -> dict[str, tuple[str, bool]]:
        return dict(self.pairs.get(key, {}))

    def add_pair(self, key: str, pair: str, token: str, quote_is_token0: bool) -> None:
        self.pairs.setdefault(key, {})[pair.lower()] = (token.lower(), quote_is_token0)


class FileStateStore(MemoryStateStore):
    """A JSON file in the profile's data dir, replaced atomically on every write."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self.blocks = {str(k): int(v) for k, v in data.get("blocks", {}).items()}
                self.pairs = {
                    str(k): {str(p): (str(t), bool(q)) for p, (t, q) in v.items()}
                    for k, v in data.get("pairs", {}).items()
                }
            except (ValueError, TypeError, AttributeError) as exc:
                raise StorageError(f"discovery state {self.path} is corrupt: {exc}") from exc

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {"blocks": self.blocks,
                "pairs": {k: {p: list(v) for p, v in m.items()} for k, m in self.pairs.items()}}
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)

    def set_last_block(self, key: str, block: int) -> None:
        super().set_last_block(key, block)
        self._save()

    def add_pair(self, key: str, pair: str, token: str, quote_is_token0: bool) -> None:
        super().add_pair(key, pair, token, quote_is_token0)
        self._save()


def default_state_store(data_dir: Path) -> FileStateStore:
    """The discovery state file of a profile (``<data dir>/discovery-state.json``)."""
    return FileStateStore(Path(data_dir) / "discovery-state.json")
