"""Buys and sells through the real execution path on anvil: route, journal, sign, fill."""

from __future__ import annotations

import pytest

from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil

FULL_PATH = ["intent", "risk_approved", "operator_approved", "journaled", "signed",
             "broadcast", "mined", "filled"]


def balance_of(chain, token: str, owner: str) -> int:
    from claudedex.devnet.uniswap import erc20_contract

    return int(erc20_contract(chain.w3, token).functions.balanceOf(owner).call())


async def test_buy_routes_to_best_venue_and_journals_every_step(make_rig, chain,
                                                                make_proposal) -> None:
    rig = await make_rig()
    order = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**17))
    assert order.state is OrderState.FILLED, order.detail
    assert await rig.history(order.id) == FULL_PATH
    assert order.venue == "sushiswap"  # the pool with more tokens per ETH
    assert order.amount_out == balance_of(chain, chain.plain, rig.account.address)
    assert order.amount_out >= order.amount_out_min > 0


async def test_sell_approves_the_router_then_sells_for_eth(make_rig, chain, make_proposal) -> None:
    rig = await make_rig()
    bought = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**17))
    assert bought.state is OrderState.FILLED
    eth_before = chain.w3.eth.get_balance(rig.account.address)
    sold = await rig.engine.execute(make_proposal(chain.plain, "sell", bought.amount_out))
    assert sold.state is OrderState.FILLED, sold.detail
    assert await rig.history(sold.id) == FULL_PATH
    assert [s for s in await rig.history(f"{sold.id}:approve")][-1] == "filled"
    assert balance_of(chain, chain.plain, rig.account.address) == 0
    eth_after = chain.w3.eth.get_balance(rig.account.address)
    assert sold.amount_out > 0
    # exact: ETH received minus the gas of both transactions, both booked on the sell
    approve_gas = int((await rig.journal.history(f"{sold.id}:approve"))[-1]
                      .data["gas_cost_wei"])
    assert approve_gas > 0
    assert eth_after - eth_before == sold.amount_out - sold.gas_cost_wei
    receipt = chain.w3.eth.get_transaction_receipt(sold.mined_hash)  # type: ignore[arg-type]
    assert sold.gas_cost_wei == (int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
                                 + approve_gas)


async def test_fee_on_transfer_token_uses_supporting_functions(make_rig, chain,
                                                                make_proposal) -> None:
    from claudedex.execution.calls import selector
    from claudedex.execution.planner import Taxes

    rig = await make_rig()
    taxes = Taxes(chain.tax_bps, chain.tax_bps)
    bought = await rig.engine.execute(make_proposal(chain.taxed, "buy", 10**17), taxes)
    assert bought.state is OrderState.FILLED, bought.detail
    assert bought.fee_on_transfer
    assert bought.data.startswith("0x" + selector(
        "swapExactETHForTokensSupportingFeeOnTransferTokens(uint256,address[],address,uint256)"
    ).hex())
    held = balance_of(chain, chain.taxed, rig.account.address)
    assert held == bought.amount_out >= bought.amount_out_min
    sold = await rig.engine.execute(make_proposal(chain.taxed, "sell", held), taxes)
    assert sold.state is OrderState.FILLED, sold.detail
    assert balance_of(chain, chain.taxed, rig.account.address) == 0
    assert sold.amount_out >= sold.amount_out_min > 0


async def test_dry_run_quotes_and_signs_nothing(make_rig, chain, make_proposal) -> None:
    rig = await make_rig(dry_run=True)
    nonce = chain.w3.eth.get_transaction_count(rig.account.address)
    order = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**17))
    assert order.state is OrderState.SIMULATED
    assert order.expected_out > order.amount_out_min > 0
    assert order.attempts == []
    assert chain.w3.eth.get_transaction_count(rig.account.address) == nonce


async def test_a_repeated_decision_is_executed_once(make_rig, chain, make_proposal) -> None:
    rig = await make_rig()
    p = make_proposal(chain.plain, "buy", 10**16)
    first = await rig.engine.execute(p)
    again = await rig.engine.execute(p)
    assert first.state is OrderState.FILLED
    assert again.attempts == [] and again.state is OrderState.INTENT
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1


async def test_run_executes_approved_decisions_from_the_bus(make_rig, chain,
                                                            make_proposal) -> None:
    import asyncio

    from claudedex.events import OrderFilled, OrderUpdated, ProposalDecided

    rig = await make_rig()
    watch = rig.bus.subscribe("test", [OrderUpdated.topic, OrderFilled.topic])
    task = asyncio.create_task(rig.engine.run())
    try:
        await asyncio.sleep(0.2)
        rejected = make_proposal(chain.plain, "buy", 10**16)
        approved = make_proposal(chain.plain, "buy", 10**16)
        await rig.bus.publish(ProposalDecided(proposal_id=rejected.id, decision="rejected",
                                              by="operator", proposal=rejected))
        await rig.bus.publish(ProposalDecided(proposal_id=approved.id, decision="approved",
                                              by="operator", proposal=approved))
        states: list[str] = []
        fill = None
        async with asyncio.timeout(60):
            async for ev in watch:
                if isinstance(ev, OrderUpdated):
                    states.append(ev.state)
                if isinstance(ev, OrderFilled):
                    fill = ev
                    break
        assert fill is not None and fill.order_id == f"o-{approved.id}"
        assert states == FULL_PATH
        assert await rig.journal.history(f"o-{rejected.id}") == []
    finally:
        task.cancel()
        watch.close()
