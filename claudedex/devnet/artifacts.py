"""The official build artifacts (creation bytecode + ABI) from node_modules.

Why from npm and not recompiled: the devnet must run the very bytecode that runs on mainnet
(Uniswap V2 core/periphery as published, canonical WETH9), so that quotes, fees and the
pair init-code hash behave exactly as they do in production.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from claudedex.devnet.anvil import NODE_MODULES, REPO_ROOT
from claudedex.errors import DevnetError


@dataclass(frozen=True)
class Artifact:
    """A contract's name, ABI and creation bytecode (no 0x prefix issues: raw bytes)."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    source: Path


ARTIFACT_PATHS: dict[str, Path] = {
    "UniswapV2Factory": NODE_MODULES / "@uniswap/v2-core/build/UniswapV2Factory.json",
    "UniswapV2Pair": NODE_MODULES / "@uniswap/v2-core/build/UniswapV2Pair.json",
    "UniswapV2ERC20": NODE_MODULES / "@uniswap/v2-core/build/UniswapV2ERC20.json",
    "UniswapV2Router02": NODE_MODULES / "@uniswap/v2-periphery/build/UniswapV2Router02.json",
    "WETH9": NODE_MODULES / "canonical-weth/build/contracts/WETH9.json",
    "ERC20": NODE_MODULES / "@uniswap/v2-periphery/build/ERC20.json",
}


def _hex_to_bytes(value: str) -> bytes:
    text = value[2:] if value.startswith("0x") else value
    if "__" in text:
        raise DevnetError("artifact bytecode has unlinked library placeholders")
    return bytes.fromhex(text)


@cache
def load_artifact(name: str) -> Artifact:
    """Load one artifact by contract name; DevnetError naming `npm ci` when it is missing."""
    path = ARTIFACT_PATHS.get(name)
    if path is None:
        raise DevnetError(f"unknown artifact {name!r}; known: {', '.join(sorted(ARTIFACT_PATHS))}")
    if not path.is_file():
        raise DevnetError(f"build artifact {path} missing: run `npm ci` in {REPO_ROOT}")
    data = json.loads(path.read_text(encoding="utf-8"))
    bytecode = data.get("bytecode")
    if isinstance(bytecode, dict):  # truffle/hardhat variants nest it
        bytecode = bytecode.get("object", "")
    if not bytecode:
        evm = data.get("evm", {})
        bytecode = evm.get("bytecode", {}).get("object", "")
    if not isinstance(bytecode, str) or not bytecode:
        raise DevnetError(f"build artifact {path} has no creation bytecode")
    abi = data["abi"]
    if isinstance(abi, str):
        abi = json.loads(abi)
    return Artifact(name=name, abi=abi, bytecode=_hex_to_bytes(bytecode), source=path)


def abi(name: str) -> list[dict[str, Any]]:
    return load_artifact(name).abi
