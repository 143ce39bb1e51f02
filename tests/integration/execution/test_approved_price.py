"""A fill is never worse than what the operator approved.

Reproduction from the field: the approved proposal's min-out was dropped by
``Order.from_proposal`` and recomputed from the pool at send time; a pool pumped between the
approval and the send filled 28 % below the approved min-out. Now the approved min-out is
the order's floor: if the market moved past it, nothing is signed and the reason is given.
"""

from __future__ import annotations

import dataclasses

import pytest
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claudedex.amm import get_amount_out, min_amount_out
from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil
E18 = 10**18


def approved_buy(chain, make_proposal, amount: int, slippage_bps: int = 300):
    """A buy approved at the uniswap pool's current price (as the risk manager sizes it)."""
    from claudedex.devnet.uniswap import pair_contract

    uni = chain.deployment.venues["uniswap"]
    from claudedex.devnet.uniswap import factory_contract

    pair = factory_contract(chain.w3, uni).functions.getPair(
        chain.plain, chain.deployment.weth).call()
    r0, r1, _ = pair_contract(chain.w3, pair).functions.getReserves().call()
    token0 = pair_contract(chain.w3, pair).functions.token0().call()
    r_token, r_weth = (r0, r1) if token0.lower() == chain.plain.lower() else (r1, r0)
    best = max(get_amount_out(amount, r_weth, r_token), 1)
    proposal = make_proposal(chain.plain, "buy", amount, slippage_bps=slippage_bps)
    return dataclasses.replace(proposal, min_amount_out=min_amount_out(best, slippage_bps))


def pump(chain, eth: int) -> None:
    from claudedex.devnet.uniswap import router_contract

    whale = Account.from_key(chain.anvil.accounts[-1].private_key)
    for venue in chain.deployment.venues.values():
        router_contract(chain.w3, venue).functions.swapExactETHForTokens(
            0, [chain.deployment.weth, chain.plain], whale.address, 2**40).transact(
            {"from": whale.address, "value": eth})


async def test_a_pump_after_approval_is_refused_not_filled_below(make_rig, chain,
                                                                 make_proposal) -> None:
    rig = await make_rig()
    proposal = approved_buy(chain, make_proposal, E18 // 10)
    pump(chain, 3 * E18)  # between the approval and the send
    order = await rig.engine.execute(proposal)
    assert order.state is OrderState.FAILED and "moved past the approved price" in order.detail
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 0  # nothing signed


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pumped=st.integers(0, 2 * E18), slippage=st.integers(50, 2000))
async def test_fills_are_never_below_the_approved_min_out(make_rig, chain, make_proposal,
                                                          pumped: int, slippage: int) -> None:
    rig = await make_rig()
    proposal = approved_buy(chain, make_proposal, E18 // 50, slippage)
    if pumped:
        pump(chain, pumped)
    order = await rig.engine.execute(proposal)
    if order.state is OrderState.FILLED:
        assert order.amount_out >= proposal.min_amount_out
    else:
        assert order.state is OrderState.FAILED
