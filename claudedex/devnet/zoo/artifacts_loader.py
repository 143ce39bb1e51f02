"""Load the zoo's committed artifacts (ABI + creation bytecode) by contract name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from claudedex.errors import DevnetError

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"


@dataclass(frozen=True)
class ZooArtifact:
    """One compiled zoo contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes


@cache
def zoo_artifact(contract_name: str) -> ZooArtifact:
    """The committed artifact for ``contract_name``; DevnetError naming the fix if absent."""
    path = ARTIFACTS_DIR / f"{contract_name}.json"
    if not path.is_file():
        raise DevnetError(
            f"zoo artifact {path.name} missing: run `python -m claudedex.devnet.zoo.compile`"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return ZooArtifact(
        name=contract_name, abi=data["abi"], bytecode=bytes.fromhex(data["bytecode"][2:])
    )
