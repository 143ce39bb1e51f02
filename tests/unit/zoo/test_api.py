"""deploy_family input checks and the tax arithmetic of Measured (no chain needed)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from claudedex.devnet.zoo import SwapResult, deploy_family
from claudedex.devnet.zoo.measure import Measured
from claudedex.errors import DevnetError


class _Deployment:
    weth = "0x" + "11" * 20
    venues: dict[str, Any] = {}


def test_unknown_family_is_a_devnet_error_naming_the_known_ones() -> None:
    with pytest.raises(DevnetError, match="unknown token family 'nope'.*honeypot"):
        deploy_family(
            None,  # type: ignore[arg-type]  # rejected before any RPC
            "nope",
            None,  # type: ignore[arg-type]
            name="x",
            symbol="X",
            supply=1,
            rng=random.Random(0),
            deployment=_Deployment(),
        )


def test_non_positive_supply_is_rejected() -> None:
    with pytest.raises(DevnetError, match="supply"):
        deploy_family(
            None,  # type: ignore[arg-type]
            "honeypot",
            None,  # type: ignore[arg-type]
            name="x",
            symbol="X",
            supply=0,
            rng=random.Random(0),
            deployment=_Deployment(),
        )


def _swap(amount_in: int, amount_out: int) -> SwapResult:
    return SwapResult(amount_in, amount_out, 0, {})  # type: ignore[arg-type]


def test_measured_tax_is_integer_basis_points() -> None:
    assert Measured(_swap(10**18, 97 * 10**16), 10**18).buy_tax_bps() == 300
    assert Measured(_swap(1000, 0), 10).sell_tax_bps() == 9900
    assert Measured(_swap(1000, 0), 1000).sell_tax_bps() == 0
    assert Measured(_swap(0, 0), 0).sell_tax_bps() == 0
