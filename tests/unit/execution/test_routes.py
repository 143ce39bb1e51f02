"""Route quotes and the price-impact limit, on known reserves (no chain).

The property that matters: whatever the pools, a route :func:`choose` returns is within the
limit, and a refusal names the lowest impact on offer and the limit.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claudedex.amm import get_amount_out, price_impact_bps
from claudedex.execution.routes import (
    NoRoute,
    PriceImpactTooHigh,
    candidate_paths,
    choose,
    quote_path_from,
    route_impact_bps,
)
from claudedex.execution.routing import VenueRef

E18 = 10**18
UNI = VenueRef("uniswap", "0x" + "11" * 20, "0x" + "22" * 20)
WETH, USDC, TOKEN = "0x" + "aa" * 20, "0x" + "bb" * 20, "0x" + "cc" * 20
reserve = st.integers(10**6, 10**30)


def test_the_field_case_routes_through_the_stablecoin() -> None:
    direct = quote_path_from(UNI, [WETH, TOKEN], ["p1"], [(E18 // 100, 100 * E18)], E18 // 10)
    via = quote_path_from(UNI, [WETH, USDC, TOKEN], ["p2", "p3"],
                          [(100 * E18, 300_000 * E18), (300_000 * E18, 1_000_000 * E18)],
                          E18 // 10)
    assert direct is not None and via is not None
    assert direct.impact_bps == 9092  # 90.9 %
    assert choose([direct, via], 1000) is via
    with pytest.raises(PriceImpactTooHigh, match="price impact 9092 bps is over the limit 1000"):
        choose([direct], 1000)


def test_no_route_at_all_is_no_route() -> None:
    with pytest.raises(NoRoute):
        choose([None, None], 1000)


def test_candidate_paths_skip_a_quote_asset_that_is_an_end() -> None:
    assert candidate_paths(WETH, TOKEN, [USDC, WETH]) == [
        tuple(map(_cs, (WETH, TOKEN))), tuple(map(_cs, (WETH, USDC, TOKEN)))]


def _cs(a: str) -> str:
    from eth_utils.address import to_checksum_address

    return to_checksum_address(a)


@given(amount=st.integers(1, 10**24), r_in=reserve, r_out=reserve)
def test_one_hop_impact_is_the_amm_impact(amount: int, r_in: int, r_out: int) -> None:
    if get_amount_out(amount, r_in, r_out) == 0:
        return
    assert route_impact_bps(amount, [(r_in, r_out)], 30) == price_impact_bps(amount, r_in, r_out)


@given(amount=st.integers(1, 10**24), pools=st.lists(st.lists(
    st.tuples(reserve, reserve), min_size=1, max_size=2), min_size=1, max_size=4),
    limit=st.integers(1, 9900))
def test_a_chosen_route_is_never_over_the_limit(amount: int, pools: list[list[tuple[int, int]]],
                                                limit: int) -> None:
    routes = [quote_path_from(UNI, [WETH, USDC, TOKEN][: len(p) + 1], ["p"] * len(p), p, amount)
              for p in pools]
    try:
        best = choose(routes, limit)
    except PriceImpactTooHigh as exc:
        live = [r for r in routes if r is not None]
        assert all(r.impact_bps > limit for r in live)
        assert exc.impact_bps == min(r.impact_bps for r in live) and exc.limit_bps == limit
        return
    except NoRoute:
        assert all(r is None for r in routes)
        return
    assert best.impact_bps <= limit
    assert best.expected_out == max(r.expected_out for r in routes
                                    if r is not None and r.impact_bps <= limit)
