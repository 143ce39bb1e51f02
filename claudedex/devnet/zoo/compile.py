"""Compile the zoo's Solidity sources with solcjs (npm ``solc``) and manage the artifacts.

Why solcjs driven through ``node``: it is pinned in package.json, needs no network download
(unlike py-solc-x) and gives the same bytes on every machine. Settings are fixed (optimizer on,
200 runs, cancun, no CBOR metadata) so the committed artifacts are reproducible byte for byte:
``python -m claudedex.devnet.zoo.compile`` rewrites them, ``--check`` verifies them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from claudedex.errors import DevnetError

ZOO_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = ZOO_DIR / "artifacts"
REPO_ROOT = ZOO_DIR.parent.parent.parent
SOLCJS_DIR = REPO_ROOT / "node_modules" / "solc"

SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "metadata": {"appendCBOR": False, "bytecodeHash": "none"},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
}

_NODE_SCRIPT = (
    "const solc=require(process.argv[1]);let s='';process.stdin.setEncoding('utf8');"
    "process.stdin.on('data',d=>s+=d);"
    "process.stdin.on('end',()=>{process.stdout.write(JSON.stringify("
    "{version:solc.version(),output:JSON.parse(solc.compile(s))}))});"
)


def source_files() -> list[Path]:
    """Every Solidity source in the zoo, in a stable order."""
    return sorted(ZOO_DIR.glob("*.sol"))


def standard_json_input() -> dict[str, Any]:
    """The solc standard-JSON input: all sources inline, fixed settings."""
    sources = {p.name: {"content": p.read_text(encoding="utf-8")} for p in source_files()}
    return {"language": "Solidity", "sources": sources, "settings": SETTINGS}


def node_available() -> bool:
    """True when ``node`` and the npm solc package are both present."""
    return shutil.which("node") is not None and (SOLCJS_DIR / "soljson.js").is_file()


def compile_sources() -> dict[str, str]:
    """Compile every source; return ``{artifact file name: file text}`` for deployable contracts."""
    if not node_available():
        raise DevnetError(f"node or solcjs missing ({SOLCJS_DIR}): run `npm ci`")
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["node", "-e", _NODE_SCRIPT, str(SOLCJS_DIR)],
        input=json.dumps(standard_json_input()),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        raise DevnetError(f"solcjs failed: {proc.stderr.strip()[:2000]}")
    result = json.loads(proc.stdout)
    output: dict[str, Any] = result["output"]
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise DevnetError("solc errors:\n" + "\n".join(e["formattedMessage"] for e in errors))
    files: dict[str, str] = {}
    for source_name, contracts in sorted(output.get("contracts", {}).items()):
        for contract_name, data in sorted(contracts.items()):
            bytecode = data["evm"]["bytecode"]["object"]
            if not bytecode:
                continue  # abstract contracts and interfaces have nothing to deploy
            artifact = {
                "contractName": contract_name,
                "sourceName": source_name,
                "compiler": f"solcjs {result['version']}",
                "abi": data["abi"],
                "bytecode": "0x" + bytecode,
            }
            files[f"{contract_name}.json"] = json.dumps(artifact, indent=1, sort_keys=True) + "\n"
    return files


def write_artifacts() -> list[Path]:
    """Recompile and rewrite artifacts/*.json (removing artifacts of deleted contracts)."""
    files = compile_sources()
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    for stale in ARTIFACTS_DIR.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for file_name, text in files.items():
        path = ARTIFACTS_DIR / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_artifacts() -> list[str]:
    """Names of artifacts that differ from a fresh compile (missing, extra or changed)."""
    fresh = compile_sources()
    committed = {p.name: p.read_text(encoding="utf-8") for p in ARTIFACTS_DIR.glob("*.json")}
    names = set(fresh) | set(committed)
    return sorted(n for n in names if fresh.get(n) != committed.get(n))


def main(argv: list[str] | None = None) -> int:
    """``--check``: exit 1 if artifacts are stale; otherwise rewrite them."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        stale = stale_artifacts()
        for name in stale:
            print(f"stale: {name}")
        return 1 if stale else 0
    for path in write_artifacts():
        print(path.relative_to(REPO_ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
