"""The committed zoo artifacts are exactly what the committed sources compile to."""

from __future__ import annotations

import pytest

from claudedex.devnet.zoo import compile as zoo_compile


@pytest.mark.skipif(
    not zoo_compile.node_available(),
    reason="node or node_modules/solc missing: run `npm ci` to recompile the zoo sources",
)
def test_committed_artifacts_match_a_fresh_compile_byte_for_byte() -> None:
    fresh = zoo_compile.compile_sources()
    committed = {
        p.name: p.read_text(encoding="utf-8") for p in zoo_compile.ARTIFACTS_DIR.glob("*.json")
    }
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"stale artifacts {stale}: run `python -m claudedex.devnet.zoo.compile`"


def test_standard_json_input_is_deterministic() -> None:
    a = zoo_compile.standard_json_input()
    b = zoo_compile.standard_json_input()
    assert a == b
    assert list(a["sources"]) == sorted(a["sources"])
    assert a["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert a["settings"]["metadata"]["appendCBOR"] is False
