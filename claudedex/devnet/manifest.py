"""The devnet manifest: everything a client needs to use a running devnet, as one JSON object.

Why a file as well as a stdout line: ``claudedex run --profile devnet`` finds a devnet that
is already running through ``devnet.json`` in the profile's data dir, and checks that its
RPC still answers before trusting it. ``quotes`` lists the stable quote assets the devnet
deployed (address, decimals): the devnet profile's ``chain.route_via`` comes from it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from claudedex.errors import DevnetError

MANIFEST_FILE = "devnet.json"


@dataclass(frozen=True)
class DevnetManifest:
    rpc_url: str
    ws_url: str
    chain_id: int
    weth: str
    venues: dict[str, dict[str, str]]  # name -> {"factory", "router"}
    accounts: list[dict[str, str]]  # [{"address", "private_key"}], unused by the simulator
    labels: str  # path of the ground-truth file (scorers only, never safety checks)
    dexscreener_url: str = ""
    social_url: str = ""
    dexscreener_chain_id: str = "devnet"
    data_dir: str = ""
    pid: int = 0  # anvil's pid
    service_pid: int = 0  # the `devnet up` process (SIGTERM it to stop the devnet)
    seed: int = 0
    block_time: int = 0
    market: bool = True
    shape: str = "devnet"  # "ethereum": chain id 1, WETH and venues at mainnet addresses
    # other quote assets, [{"symbol", "address", "decimals"}]: the profile routes through them
    quotes: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def route_via(self) -> tuple[str, ...]:
        """Addresses of the quote assets to route through, in manifest order."""
        return tuple(str(q["address"]) for q in self.quotes if q.get("address"))

    def line(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DevnetManifest:
        known = set(cls.__dataclass_fields__)
        missing = {"rpc_url", "ws_url", "chain_id", "weth", "venues", "accounts", "labels"}
        missing -= set(data)
        if missing:
            raise DevnetError(f"devnet manifest lacks {', '.join(sorted(missing))}")
        return cls(**{k: v for k, v in data.items() if k in known})

    def write(self, data_dir: Path) -> Path:
        """Atomically write ``devnet.json`` (0600: it holds dev private keys)."""
        path = data_dir / MANIFEST_FILE
        tmp = path.with_suffix(".json.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a leftover temp file from a crash keeps its old mode
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.line() + "\n")
        os.replace(tmp, path)
        return path


def read_manifest(data_dir: Path) -> DevnetManifest | None:
    """The manifest in ``data_dir`` or None when there is none or it is unreadable."""
    path = data_dir / MANIFEST_FILE
    try:
        return DevnetManifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, DevnetError, TypeError):
        return None
