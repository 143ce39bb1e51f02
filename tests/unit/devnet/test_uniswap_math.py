"""UniswapV2Library math in integers, checked against the formula and its inverse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claudedex.devnet.uniswap import get_amount_in, get_amount_out

reserves = st.integers(min_value=10**3, max_value=2**112 - 1)


def test_known_value() -> None:
    # 1 ETH into 10 ETH / 1_000_000 token pool
    out = get_amount_out(10**18, 10 * 10**18, 1_000_000 * 10**18)
    assert out == (10**18 * 997 * 1_000_000 * 10**18) // (10 * 10**18 * 1000 + 10**18 * 997)
    assert out == 90_661_089_388_014_913_158_134  # 997e24 // 10997


@given(amount=st.integers(min_value=1, max_value=2**100), r_in=reserves, r_out=reserves)
def test_get_amount_in_is_the_least_input_for_an_output(amount: int, r_in: int, r_out: int) -> None:
    out = get_amount_out(amount, r_in, r_out)
    if out == 0:
        return
    needed = get_amount_in(out, r_in, r_out)
    assert needed <= amount
    assert get_amount_out(needed, r_in, r_out) >= out


def test_rejects_bad_inputs() -> None:
    assert get_amount_out(0, 1, 1) == 0
    with pytest.raises(ValueError):
        get_amount_out(-1, 1, 1)
    with pytest.raises(ValueError):
        get_amount_out(1, 0, 1)
    with pytest.raises(ValueError):
        get_amount_in(5, 10, 5)
