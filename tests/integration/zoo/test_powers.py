"""Power families: each launches clean and its scheduled action really hurts holders."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from claudedex.devnet.uniswap import pair_contract
from claudedex.devnet.zoo import FAMILIES, SwapFailed, buy, sell
from claudedex.devnet.zoo.artifacts_loader import zoo_artifact
from claudedex.devnet.zoo.recipes_base import call_as
from claudedex.devnet.zoo.trading import token_reserves
from claudedex.errors import DevnetError

pytestmark = pytest.mark.anvil

ETH = 10**18


def _action(token: Any, pair: str) -> Any:
    (action,) = token.scam_actions(pair)
    assert action.kind == FAMILIES[token.family].action
    assert 10 <= action.after_blocks <= 40
    return action


def test_hidden_credit_adds_balance_without_supply_or_event(zoo_chain: Any,
                                                            launch_family: Any) -> None:
    token, pair = launch_family("hidden_credit")
    w3, c = zoo_chain.w3, token.contract(zoo_chain.w3)
    owner = token.owner.address
    before, supply = c.functions.balanceOf(owner).call(), c.functions.totalSupply().call()
    receipt = call_as(w3, token.owner, token, "settleLoyalty", 777)
    assert c.functions.balanceOf(owner).call() == before + 777
    assert c.functions.totalSupply().call() == supply
    assert receipt["logs"] == []
    trader = zoo_chain.traders[0]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH).amount_out
    _action(token, pair).run(w3)
    assert sell(w3, trader, zoo_chain.router, token.address, got).amount_out < ETH // 50


def test_unbacked_wallet_sells_what_it_never_had(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("unbacked_sell")
    w3, c = zoo_chain.w3, token.contract(zoo_chain.w3)
    wallet = token.signers["marketing"].address
    assert c.functions.balanceOf(wallet).call() == 0
    assert c.functions.owner().call() == "0x" + "00" * 20
    _, weth_before = token_reserves(w3, pair, token.address)
    _action(token, pair).run(w3)
    _, weth_after = token_reserves(w3, pair, token.address)
    assert c.functions.balanceOf(wallet).call() == 0
    assert weth_after * 50 < weth_before  # the pool's ETH is gone


def test_external_policy_freezes_sells(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("external_oracle")
    w3, trader = zoo_chain.w3, zoo_chain.traders[1]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 2).amount_out
    assert sell(w3, trader, zoo_chain.router, token.address, got // 2).amount_out > 0
    _action(token, pair).run(w3)
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, got // 4)


def test_wipe_sweeps_every_buyer(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("wipe_holder")
    w3, c = zoo_chain.w3, token.contract(zoo_chain.w3)
    buyers = zoo_chain.traders[2:4]
    for t in buyers:
        buy(w3, t, zoo_chain.router, token.address, ETH // 4)
    _action(token, pair).run(w3)
    assert token.extra["wiped"] == [t.address for t in buyers]
    assert all(c.functions.balanceOf(t.address).call() == 0 for t in buyers)


def test_uups_owner_upgrade_blocks_sells(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("uups_upgrade")
    w3, trader = zoo_chain.w3, zoo_chain.traders[4]
    with pytest.raises(DevnetError):  # only the owner may upgrade
        call_as(w3, trader, token, "upgradeToAndCall", token.extra["impl_v2"], b"")
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 2).amount_out
    assert sell(w3, trader, zoo_chain.router, token.address, got // 2).amount_out > 0
    _action(token, pair).run(w3)
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, got // 4)


def test_locker_owner_withdraws_and_rugs(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("lp_locker")
    w3 = zoo_chain.w3
    locker = Web3.to_checksum_address(token.extra["locker"])
    lp = pair_contract(w3, pair)
    locked = lp.functions.balanceOf(locker).call()
    assert locked * 10 > lp.functions.totalSupply().call() * 9
    art = zoo_artifact("LiquidityLocker")
    lock = w3.eth.contract(address=locker, abi=art.abi).functions.locks(0).call()
    assert lock[2] > w3.eth.get_block("latest")["timestamp"] + 300 * 86_400  # "a year"
    _action(token, pair).run(w3)
    assert lp.functions.balanceOf(locker).call() == 0
    assert token.extra["lp_removed"] == locked


def test_slot_17_fee_manager_raises_fees(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("deep_slot_fee")
    w3, c = zoo_chain.w3, token.contract(zoo_chain.w3)
    manager = token.signers["fee_manager"].address
    word = w3.eth.get_storage_at(Web3.to_checksum_address(token.address), 17)
    assert Web3.to_checksum_address(bytes(word)[-20:]) == manager
    assert c.functions.owner().call() == "0x" + "00" * 20
    _action(token, pair).run(w3)
    assert c.functions.sellFeeBps().call() == 9900
