"""A token with a liquid pair on one venue and an empty pair on the other: bought, its
stop-loss fills on the liquid venue.

Reproduction from the field: the position was marked at 0 (the empty pair, discovered last,
was the token's pair), the stop-loss fired at once, and the exit was dropped with "no pool
reserves known" in the log file only. Marks and exits now use the token's deepest pool.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from eth_account import Account

from claudedex.events import AlertRaised, OrderFilled, PositionChanged, RiskAssessed
from tests.integration.execution.test_cli_trade import write_manifest

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
E18 = 10**18


async def next_event(sub, match, timeout_s: float = 90.0):
    async with asyncio.timeout(timeout_s):
        async for ev in sub:
            if match(ev):
                return ev
    raise AssertionError("subscription closed")


async def test_stop_loss_fills_on_the_liquid_venue_not_the_empty_pair(chain) -> None:
    from claudedex.config import load_profile
    from claudedex.devnet.uniswap import erc20_contract, factory_contract, router_contract
    from claudedex.devnet.zoo import deploy_family, launch
    from claudedex.domain import Side
    from claudedex.engine import Engine
    from claudedex.kernel import BuildOptions
    from claudedex.paths import data_dir
    from claudedex.trade_request import TradeRequest

    account = next(chain.accounts)
    write_manifest(chain, account)
    profile = load_profile("devnet")
    engine = Engine(profile, data_dir=data_dir("devnet"),
                    options=BuildOptions(feeds=True, start_devnet=False), serve_control=False)
    sub = engine.events([RiskAssessed.topic, OrderFilled.topic, PositionChanged.topic,
                         AlertRaised.topic], name="test")
    await engine.start()
    try:
        owner = Account.from_key(chain.anvil.accounts[1].private_key)
        uni, sushi = chain.deployment.venues["uniswap"], chain.deployment.venues["sushiswap"]
        token = deploy_family(chain.w3, "honest_renounced", owner, name="Deep", symbol="DEEP",
                              supply=10**24, rng=random.Random(11),
                              deployment=chain.deployment)
        launch(chain.w3, token, uni.router, token_amount=5 * 10**23, eth_amount=10 * E18)
        address = str(token.address)
        # a stranger's empty pair on the other venue, created after the liquid one
        factory_contract(chain.w3, sushi).functions.createPair(
            address, chain.deployment.weth).transact({"from": owner.address})
        await next_event(sub, lambda e: isinstance(e, RiskAssessed)
                         and e.report.token.lower() == address.lower())
        result = await engine.trade(TradeRequest(Side.BUY, address, "0.1", override="risky"))
        assert result.state == "filled", result.detail
        bought = int(result.amount_out)

        dump = 4 * 10**23  # a whale sells into the liquid pool: past the 15 % stop-loss
        erc20_contract(chain.w3, address).functions.transfer(owner.address, 0).transact(
            {"from": owner.address})
        erc20_contract(chain.w3, address).functions.approve(uni.router, dump).transact(
            {"from": owner.address})
        router_contract(chain.w3, uni).functions.swapExactTokensForETH(
            dump, 0, [address, chain.deployment.weth], owner.address, 2**40).transact(
            {"from": owner.address})

        exit_fill = await next_event(sub, lambda e: isinstance(e, OrderFilled)
                                     and e.side == "sell")
        assert exit_fill.amount_in == bought and exit_fill.amount_out > 0
        receipt = chain.w3.eth.get_transaction_receipt(exit_fill.tx_hash)
        assert receipt["status"] == 1
        assert receipt["to"].lower() == uni.router.lower()  # routed to the liquid venue
        assert erc20_contract(chain.w3, address).functions.balanceOf(
            account.address).call() == 0
    finally:
        await engine.stop()
