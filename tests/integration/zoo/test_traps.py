"""Scam families that bite from launch: each behaves as its label says on a real anvil."""

from __future__ import annotations

from typing import Any

import pytest
from web3.exceptions import ContractLogicError

from claudedex.devnet.zoo import SwapFailed, buy, sell
from claudedex.devnet.zoo.measure import measured_buy, measured_sell
from claudedex.devnet.zoo.trading import DEADLINE, ensure_allowance, router_at

pytestmark = pytest.mark.anvil

ETH = 10**18


@pytest.mark.parametrize("venue", ["uniswap", "sushiswap"])
def test_honeypot_buy_works_sell_reverts(zoo_chain: Any, launch_family: Any, venue: str) -> None:
    token, pair = launch_family("honeypot", venue=venue)
    router = zoo_chain.deployment.venues[venue].router
    trader = zoo_chain.traders[0]
    got = buy(zoo_chain.w3, trader, router, token.address, ETH // 2).amount_out
    assert got > 0
    with pytest.raises(SwapFailed, match="TRANSFER_FROM_FAILED"):
        sell(zoo_chain.w3, trader, router, token.address, got)
    # the token itself refuses any transfer into the pair, disguised as a balance error
    c = token.contract(zoo_chain.w3)
    with pytest.raises(ContractLogicError, match="exceeds balance"):
        c.functions.transfer(pair, 1).call({"from": trader.address})
    assert c.functions.transfer(zoo_chain.traders[9].address, 1).call({"from": trader.address})
    with pytest.raises(SwapFailed):
        sell(zoo_chain.w3, trader, router, token.address, got // 1000)
    assert token.scam_actions(pair) == []


def test_extreme_sell_tax_takes_90_to_99_percent(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("extreme_sell_tax")
    fee = token.extra["sell_tax_percent"]
    assert 90 <= fee <= 99
    assert token.contract(zoo_chain.w3).functions.sellFee().call() == fee
    trader = zoo_chain.traders[1]
    b = measured_buy(zoo_chain.w3, trader, zoo_chain.router, token.address, pair, ETH // 2)
    assert b.swap.amount_out == b.pair_side - b.pair_side * 2 // 100
    amount = b.swap.amount_out
    s = measured_sell(zoo_chain.w3, trader, zoo_chain.router, token.address, pair, amount)
    assert s.pair_side == amount - amount * fee // 100
    assert s.sell_tax_bps() >= 9000


def test_max_sell_trap_blocks_full_sell_allows_dust(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("max_sell_trap")
    cap = token.extra["max_sell"]
    assert token.contract(zoo_chain.w3).functions.maxSellAmount().call() == cap
    trader = zoo_chain.traders[2]
    got = buy(zoo_chain.w3, trader, zoo_chain.router, token.address, ETH // 2).amount_out
    assert got > 100 * cap
    with pytest.raises(SwapFailed):
        sell(zoo_chain.w3, trader, zoo_chain.router, token.address, got)
    small = sell(zoo_chain.w3, trader, zoo_chain.router, token.address, cap)
    assert small.amount_out > 0


def test_cooldown_blocks_sell_right_after_buy(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("cooldown")
    w3 = zoo_chain.w3
    trader = zoo_chain.traders[3]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 2).amount_out
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, got)
    # The cooldown is time-based: a week later the same sell goes through.
    w3.provider.make_request("evm_increaseTime", [token.extra["cooldown_seconds"] + 60])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert sell(w3, trader, zoo_chain.router, token.address, got).amount_out > 0


def test_lying_balance_reports_more_than_can_move(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("lying_balance")
    w3 = zoo_chain.w3
    trader = zoo_chain.traders[4]
    b = measured_buy(w3, trader, zoo_chain.router, token.address, pair, ETH // 2)
    real = b.pair_side
    shown = token.contract(w3).functions.balanceOf(trader.address).call()
    assert shown == 2 * real
    c = token.contract(w3)
    with pytest.raises(ContractLogicError):
        c.functions.transfer(zoo_chain.traders[5].address, shown).call({"from": trader.address})
    with pytest.raises(ContractLogicError):
        c.functions.transfer(zoo_chain.traders[5].address, real + 1).call({"from": trader.address})
    assert c.functions.transfer(zoo_chain.traders[5].address, real).call({"from": trader.address})
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, shown)
    assert sell(w3, trader, zoo_chain.router, token.address, real).amount_out > 0


def test_gas_trap_sell_needs_millions_of_gas(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("gas_trap")
    w3 = zoo_chain.w3
    trader = zoo_chain.traders[6]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 2).amount_out
    ensure_allowance(w3, trader, token.address, zoo_chain.router, got)
    r = router_at(w3, zoo_chain.router)
    fn = r.functions.swapExactTokensForETHSupportingFeeOnTransferTokens(
        got // 2, 0, [token.address, zoo_chain.deployment.weth], trader.address, DEADLINE
    )
    assert fn.estimate_gas({"from": trader.address}) > 5_000_000
    with pytest.raises(SwapFailed) as failed:
        sell(w3, trader, zoo_chain.router, token.address, got // 2, gas=1_000_000)
    assert failed.value.receipt is not None and failed.value.receipt["status"] == 0
    # With an absurd gas limit the sell does go through: the cost is the trap.
    ok = sell(w3, trader, zoo_chain.router, token.address, got // 2, gas=12_000_000)
    assert ok.gas_used > 5_000_000 and ok.amount_out > 0
