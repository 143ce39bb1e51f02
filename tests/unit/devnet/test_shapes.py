"""Devnet shapes: the ethereum shape's addresses are the ones the ethereum profiles hard-code."""

from __future__ import annotations

import pytest

from claudedex.config import load_profile
from claudedex.devnet.manifest import DevnetManifest
from claudedex.devnet.shapes import DEFAULT_SHAPE, ETHEREUM, SHAPES, shape_named
from claudedex.errors import UserInputError


def test_default_shape_is_the_plain_devnet() -> None:
    shape = shape_named(DEFAULT_SHAPE)
    assert (shape.chain_id, shape.pinned, shape.venues) == (31337, False, ())
    assert set(SHAPES) == {"devnet", "ethereum"}


@pytest.mark.parametrize("profile_name", ["paper-ethereum", "live-ethereum"])
def test_ethereum_shape_matches_the_profiles(profile_name: str) -> None:
    profile = load_profile(profile_name)
    assert shape_named("ethereum") is ETHEREUM and ETHEREUM.pinned
    assert profile.chain.chain_id == ETHEREUM.chain_id == 1
    assert profile.chain.quote_token == ETHEREUM.weth
    pinned = {v.name: (v.factory, v.router) for v in ETHEREUM.venues}
    for venue in profile.venues:
        assert pinned[venue.name] == (venue.factory, venue.router)


def test_unknown_shape_names_the_known_ones() -> None:
    with pytest.raises(UserInputError, match=r"^--shape must be one of devnet, ethereum, got 'x'$"):
        shape_named("x")


def test_manifest_without_shape_reads_as_devnet() -> None:
    m = DevnetManifest.from_json({
        "rpc_url": "http://127.0.0.1:1", "ws_url": "ws://127.0.0.1:1", "chain_id": 31337,
        "weth": "0x" + "00" * 20, "venues": {}, "accounts": [], "labels": "/x",
    })  # fmt: skip
    assert m.shape == "devnet"
