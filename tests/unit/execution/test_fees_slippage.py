"""EIP-1559 fees under caps, the replacement bump, and exact amountOutMin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claudedex.amm import expected_output, get_amount_out
from claudedex.config import LimitsConfig
from claudedex.execution.fees import GWEI, FeeCapExceeded, FeeCaps, Fees, bump, fees_for
from claudedex.execution.slippage import amount_out_min

CAPS = FeeCaps.from_limits(LimitsConfig(max_gas_price_gwei=Decimal("50"),
                                        max_priority_fee_gwei=Decimal("2")))


def test_caps_come_from_the_profile_in_wei() -> None:
    assert CAPS == FeeCaps(50 * GWEI, 2 * GWEI)


def test_fees_are_twice_base_plus_tip_and_capped() -> None:
    assert fees_for(10 * GWEI, 1 * GWEI, CAPS) == Fees(21 * GWEI, 1 * GWEI)
    assert fees_for(10 * GWEI, 9 * GWEI, CAPS) == Fees(22 * GWEI, 2 * GWEI)
    assert fees_for(40 * GWEI, 1 * GWEI, CAPS).max_fee_per_gas == 50 * GWEI
    with pytest.raises(FeeCapExceeded):
        fees_for(51 * GWEI, 1 * GWEI, CAPS)


@given(st.integers(1, 40 * GWEI), st.integers(1, GWEI))
def test_bump_raises_both_fees_by_at_least_ten_percent(max_fee: int, tip: int) -> None:
    old = Fees(max(max_fee, tip), tip)
    try:
        new = bump(old, CAPS)
    except FeeCapExceeded:
        assert old.max_fee_per_gas * 11 > CAPS.max_fee_per_gas * 10 or \
            old.max_priority_fee_per_gas * 11 > CAPS.max_priority_fee_per_gas * 10
        return
    assert new.max_fee_per_gas * 10 >= old.max_fee_per_gas * 11
    assert new.max_priority_fee_per_gas * 10 >= old.max_priority_fee_per_gas * 11
    assert new.max_fee_per_gas <= CAPS.max_fee_per_gas


def test_min_out_uses_the_tighter_of_proposal_and_profile() -> None:
    out = get_amount_out(10**18, 10 * 10**18, 5_000 * 10**18)
    assert expected_output(10**18, 10 * 10**18, 5_000 * 10**18, 30) == out
    assert amount_out_min(out, 100, 300) == out * 9_900 // 10_000
    assert amount_out_min(out, 900, 300) == out * 9_700 // 10_000  # capped by the profile
    assert amount_out_min(out, 0, 300) == out * 9_700 // 10_000


def test_taxes_shrink_the_expected_output_exactly() -> None:
    r_in, r_out = 10 * 10**18, 5_000 * 10**18
    sell = expected_output(10**18, r_in, r_out, 30, in_tax_bps=500)
    assert sell == get_amount_out(10**18 * 9_500 // 10_000, r_in, r_out)
    buy = expected_output(10**18, r_in, r_out, 30, out_tax_bps=300)
    assert buy == get_amount_out(10**18, r_in, r_out) * 9_700 // 10_000
