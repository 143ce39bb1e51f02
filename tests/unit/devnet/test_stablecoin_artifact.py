"""The committed stablecoin artifact is what the committed source compiles to."""

from __future__ import annotations

import pytest

from claudedex.devnet.stablecoin import ARTIFACT, compile_artifact, stablecoin_artifact
from claudedex.devnet.zoo.compile import node_available


@pytest.mark.skipif(not node_available(), reason="node/solcjs not installed (npm ci)")
def test_committed_artifact_matches_a_fresh_compile() -> None:
    assert ARTIFACT.read_text(encoding="utf-8") == compile_artifact()


def test_artifact_has_a_decimals_constructor_argument() -> None:
    abi, bytecode = stablecoin_artifact()
    ctor = next(item for item in abi if item["type"] == "constructor")
    assert [i["type"] for i in ctor["inputs"]] == ["string", "string", "uint8", "uint256"]
    assert bytecode.startswith(bytes.fromhex("60a0604052"))  # solc's prologue (immutable)
