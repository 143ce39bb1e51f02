"""The two honest families that only look alarming, on a real anvil: the reflection token
shares exactly 2 % of each transfer with every holder; the blocklist token's live owner can
freeze an account, but launches with LP burned, no tax and the supply airdropped."""

from __future__ import annotations

from typing import Any

import pytest

from claudedex.devnet.txs import TxReverted
from claudedex.devnet.uniswap import pair_contract as pair_at
from claudedex.devnet.zoo.measure import measured_buy, measured_sell
from claudedex.devnet.zoo.recipes_base import call_as
from claudedex.devnet.zoo.trading import DEAD, SwapFailed, sender_for, transact

pytestmark = pytest.mark.anvil

ETH = 10**18
ZERO = "0x0000000000000000000000000000000000000000"


def test_reflection_shares_the_fee_with_every_holder(
    zoo_chain: Any, launch_family: Any
) -> None:
    token, pair = launch_family("honest_reflection")
    w3 = zoo_chain.w3
    c = token.contract(w3)
    assert c.functions.owner().call() == ZERO  # renounced at launch
    assert pair_at(w3, pair).functions.balanceOf(DEAD).call() == token.extra["lp_burned"] > 0
    assert c.functions.REWARD_BPS().call() == 200
    alice, bob, carol = zoo_chain.traders[:3]
    b = measured_buy(w3, alice, zoo_chain.router, token.address, pair, ETH // 2)
    assert b.buy_tax_bps() in range(195, 205)  # 2 %, give or take the pair's share
    held = c.functions.balanceOf(alice.address).call()
    assert held > 0
    # a transfer between two others: alice's balance grows by her share of the fee
    amount = held // 2
    transact(sender_for(w3, alice), c.functions.transfer(bob.address, amount))
    after_send = c.functions.balanceOf(alice.address).call()
    got = c.functions.balanceOf(bob.address).call()
    fee = amount * 200 // 10_000
    assert got >= amount - fee and got - (amount - fee) < fee  # bob gets a share back too
    assert 0 < after_send - (held - amount) < fee  # alice fell by a little less than sent
    before = c.functions.balanceOf(alice.address).call()
    transact(sender_for(w3, bob), c.functions.transfer(carol.address, got // 2))
    assert c.functions.balanceOf(alice.address).call() > before  # a bystander earns too
    assert c.functions.totalSupply().call() == 1_000_000 * ETH  # rewards move, never mint
    s = measured_sell(w3, alice, zoo_chain.router, token.address, pair,
                      c.functions.balanceOf(alice.address).call())
    assert s.swap.amount_out > 0


def test_blocklist_owner_can_freeze_but_launch_is_clean(
    zoo_chain: Any, launch_family: Any
) -> None:
    token, pair = launch_family("honest_blocklist")
    w3 = zoo_chain.w3
    c = token.contract(w3)
    assert c.functions.owner().call() == token.owner.address  # a live owner
    lp = pair_at(w3, pair)
    assert lp.functions.balanceOf(DEAD).call() == token.extra["lp_burned"] > 0
    assert lp.functions.balanceOf(token.owner.address).call() == 0
    holders = token.extra["holders"]
    balances = [c.functions.balanceOf(h).call() for h in holders]
    assert len(set(holders)) == 12 and all(b > 0 for b in balances)
    owner_left = c.functions.balanceOf(token.owner.address).call()
    assert owner_left <= balances[0] + len(holders)  # the owner kept one share at most
    trader = zoo_chain.traders[3]
    b = measured_buy(w3, trader, zoo_chain.router, token.address, pair, ETH // 2)
    assert b.buy_tax_bps() == 0
    bought = b.swap.amount_out
    call_as(w3, token.owner, token, "setFrozen", trader.address, True)
    with pytest.raises((SwapFailed, TxReverted)):
        transact(sender_for(w3, trader), c.functions.transfer(holders[0], 1))
    call_as(w3, token.owner, token, "setFrozen", trader.address, False)
    s = measured_sell(w3, trader, zoo_chain.router, token.address, pair, bought)
    assert s.sell_tax_bps() == 0
    assert token.scam_actions(pair) == []
