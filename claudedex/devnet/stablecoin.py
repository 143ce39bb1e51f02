"""The devnet's stablecoin contract: compiled once, committed as an artifact, checked.

Why our own contract and not the periphery's test ERC20: that one has 18 decimals fixed,
while mainnet's USDC and USDT have 6 (and BSC's have 18); quote decimals that differ from
the native asset's are exactly what routing and sizing must get right. Compiled with the
pinned solcjs and the zoo's fixed settings, so ``python -m claudedex.devnet.stablecoin
--check`` proves the committed bytes come from the committed source.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from claudedex.errors import DevnetError

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
SOURCE = CONTRACTS_DIR / "DevStablecoin.sol"
ARTIFACT = CONTRACTS_DIR / "DevStablecoin.json"
NAME = "DevStablecoin"

_NODE = (
    "const solc=require(process.argv[1]);let s='';process.stdin.setEncoding('utf8');"
    "process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>{process.stdout.write("
    "JSON.stringify({version:solc.version(),output:JSON.parse(solc.compile(s))}))});"
)


def compile_artifact() -> str:
    """Compile the source with solcjs; returns the artifact file's text (JSON).

    Raises DevnetError when node/solcjs is missing or the compiler reports an error.
    """
    from claudedex.devnet.zoo.compile import SETTINGS, SOLCJS_DIR, node_available

    if not node_available():
        raise DevnetError(f"node or solcjs missing ({SOLCJS_DIR}): run `npm ci`")
    request = {"language": "Solidity", "settings": SETTINGS,
               "sources": {SOURCE.name: {"content": SOURCE.read_text(encoding="utf-8")}}}
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["node", "-e", _NODE, str(SOLCJS_DIR)], input=json.dumps(request),
        capture_output=True, text=True, check=False, timeout=600)
    if proc.returncode != 0:
        raise DevnetError(f"solcjs failed: {proc.stderr.strip()[:2000]}")
    result = json.loads(proc.stdout)
    errors = [e for e in result["output"].get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise DevnetError("solc errors:\n" + "\n".join(e["formattedMessage"] for e in errors))
    data = result["output"]["contracts"][SOURCE.name][NAME]
    artifact = {"contractName": NAME, "sourceName": SOURCE.name,
                "compiler": f"solcjs {result['version']}", "abi": data["abi"],
                "bytecode": "0x" + data["evm"]["bytecode"]["object"]}
    return json.dumps(artifact, indent=1, sort_keys=True) + "\n"


@cache
def stablecoin_artifact() -> tuple[list[dict[str, Any]], bytes]:
    """(ABI, creation bytecode) of the committed artifact; DevnetError if it is missing."""
    try:
        data = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DevnetError(f"stablecoin artifact {ARTIFACT} unreadable: {exc}") from exc
    return data["abi"], bytes.fromhex(str(data["bytecode"]).removeprefix("0x"))


def main(argv: list[str] | None = None) -> int:
    """``--check``: exit 1 when the committed artifact differs from a fresh compile."""
    args = sys.argv[1:] if argv is None else argv
    fresh = compile_artifact()
    if "--check" in args:
        same = ARTIFACT.is_file() and ARTIFACT.read_text(encoding="utf-8") == fresh
        print("stablecoin artifact up to date" if same else f"stale: {ARTIFACT.name}")
        return 0 if same else 1
    ARTIFACT.write_text(fresh, encoding="utf-8")
    print(f"wrote {ARTIFACT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
