"""Uniswap V2 integer math: known values, invariants, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claudedex.amm import (
    AmmError,
    apply_swap,
    get_amount_in,
    get_amount_out,
    min_amount_out,
    price_impact_bps,
)

E18 = 10**18
reserves = st.integers(min_value=1_000, max_value=10**30)
amounts = st.integers(min_value=1, max_value=10**28)


def test_known_value_matches_uniswap_library() -> None:
    # 1 ETH into 100 ETH / 100_000 TOK: (997e15*1e23)/(100e18*1000+997e15)
    out = get_amount_out(E18, 100 * E18, 100_000 * E18)
    assert out == (E18 * 997 * 100_000 * E18) // (100 * E18 * 1000 + E18 * 997)


def test_zero_fee_is_pure_constant_product() -> None:
    assert get_amount_out(100, 1000, 1000, fee_bps=0) == 90  # 100*1000/1100 = 90.9


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(AmmError):
        get_amount_out(1, 0, 10)
    with pytest.raises(AmmError):
        get_amount_in(10, 10, 10)
    with pytest.raises(AmmError):
        get_amount_out(1, 10, 10, fee_bps=10_000)
    with pytest.raises(AmmError):
        min_amount_out(100, 10_001)


def test_price_impact_grows_with_size() -> None:
    small = price_impact_bps(E18 // 1000, 100 * E18, 100_000 * E18, fee_bps=0)
    big = price_impact_bps(10 * E18, 100 * E18, 100_000 * E18, fee_bps=0)
    assert small <= 1
    assert 900 <= big <= 910  # 10/110 = 9.09%


def test_min_amount_out_floors() -> None:
    assert min_amount_out(10_000, 300) == 9_700
    assert min_amount_out(9_999, 1) == 9_998


@given(amounts, reserves, reserves)
def test_output_never_drains_pool_and_k_grows(a: int, rin: int, rout: int) -> None:
    out, new_in, new_out = apply_swap(a, rin, rout)
    assert 0 <= out < rout
    assert new_in * new_out >= rin * rout


@given(reserves, reserves, st.integers(min_value=1, max_value=10**28))
def test_get_amount_in_is_the_least_sufficient_input(rin: int, rout: int, want: int) -> None:
    if want >= rout:
        return
    need = get_amount_in(want, rin, rout)
    assert get_amount_out(need, rin, rout) >= want
    if need > 1:
        # Uniswap rounds up by one, so need-1 may or may not suffice, but need-2 never does
        assert need - 2 <= 0 or get_amount_out(need - 2, rin, rout) < want


@given(amounts, amounts, reserves, reserves)
def test_monotone_in_amount(a: int, b: int, rin: int, rout: int) -> None:
    lo, hi = sorted((a, b))
    assert get_amount_out(lo, rin, rout) <= get_amount_out(hi, rin, rout)


@given(amounts, reserves, reserves, st.integers(min_value=0, max_value=1000))
def test_impact_in_bounds(a: int, rin: int, rout: int, fee: int) -> None:
    imp = price_impact_bps(a, rin, rout, fee)
    assert 0 <= imp <= 10_000
    assert imp >= fee  # the fee alone already costs fee_bps against spot
