"""Scam families that launch clean and rug on schedule: behaviour before and after the action."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from claudedex.devnet.zoo import FAMILIES, SwapFailed, buy, sell
from claudedex.devnet.zoo.measure import measured_buy, measured_sell
from claudedex.devnet.zoo.recipes_base import call_as
from claudedex.devnet.zoo.trading import token_reserves
from claudedex.errors import DevnetError

pytestmark = pytest.mark.anvil

ETH = 10**18
ZERO = "0x0000000000000000000000000000000000000000"
IMPL_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
ADMIN_SLOT = 0xB53127684A568B3173AE13B9F8A6016E243E63B6E8EE1178D6A717850B5D6103


def _only_action(token: Any, pair: str, kind: str) -> Any:
    actions = token.scam_actions(pair)
    assert [a.kind for a in actions] == [kind] == [FAMILIES[token.family].action]
    assert 10 <= actions[0].after_blocks <= 40
    return actions[0]


def test_owner_pause_freezes_trading(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("owner_pause")
    w3, trader = zoo_chain.w3, zoo_chain.traders[0]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 2).amount_out
    assert sell(w3, trader, zoo_chain.router, token.address, got // 2).amount_out > 0
    _only_action(token, pair, "pause").run(w3)
    assert token.contract(w3).functions.tradingOpen().call() is False
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, got // 2)
    with pytest.raises(SwapFailed):
        buy(w3, trader, zoo_chain.router, token.address, ETH // 10)


def test_owner_blacklist_freezes_recent_buyers(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("owner_blacklist")
    w3 = zoo_chain.w3
    buyers = zoo_chain.traders[1:3]
    got = [buy(w3, t, zoo_chain.router, token.address, ETH // 4).amount_out for t in buyers]
    _only_action(token, pair, "blacklist").run(w3)
    assert token.extra["blacklisted"] == [t.address for t in buyers]
    c = token.contract(w3)
    for t, amount in zip(buyers, got, strict=True):
        assert c.functions.bots(t.address).call() is True
        with pytest.raises(SwapFailed):
            sell(w3, t, zoo_chain.router, token.address, amount)
    # An account that had not bought yet is not flagged and can still trade.
    late = zoo_chain.traders[3]
    later = buy(w3, late, zoo_chain.router, token.address, ETH // 10).amount_out
    assert sell(w3, late, zoo_chain.router, token.address, later).amount_out > 0


def test_hidden_mint_raises_owner_balance_and_dump_crashes_price(
    zoo_chain: Any, launch_family: Any
) -> None:
    token, pair = launch_family("hidden_mint")
    w3 = zoo_chain.w3
    c = token.contract(w3)
    owner = token.owner.address
    before = c.functions.balanceOf(owner).call()
    receipt = call_as(w3, token.owner, token, "syncRewards", 12345)
    assert c.functions.balanceOf(owner).call() == before + 12345
    assert receipt["logs"] == []  # no Transfer event: the mint is hidden from indexers
    trader = zoo_chain.traders[4]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH).amount_out
    tok_r0, weth_r0 = token_reserves(w3, pair, token.address)
    supply0 = c.functions.totalSupply().call()
    _only_action(token, pair, "mint_dump").run(w3)
    assert c.functions.totalSupply().call() == supply0 + token.extra["minted"]
    assert token.extra["minted"] == 100 * tok_r0
    tok_r1, weth_r1 = token_reserves(w3, pair, token.address)
    # price in wei per token fell by more than 99 %
    assert weth_r1 * tok_r0 * 100 < weth_r0 * tok_r1
    # the victim now gets back less than 2 % of the ETH they paid
    assert sell(w3, trader, zoo_chain.router, token.address, got).amount_out < ETH // 50


def test_fake_renounce_hidden_admin_keeps_powers(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("fake_renounce")
    w3 = zoo_chain.w3
    c = token.contract(w3)
    assert c.functions.owner().call() == ZERO
    admin = token.signers["hidden_admin"]
    assert admin.address == token.extra["hidden_admin"] != token.owner.address
    with pytest.raises(DevnetError):
        call_as(w3, token.owner, token, "updateFees", 1, 99)  # the real owner did renounce
    trader = zoo_chain.traders[5]
    b = measured_buy(w3, trader, zoo_chain.router, token.address, pair, ETH // 2)
    s = measured_sell(w3, trader, zoo_chain.router, token.address, pair, b.swap.amount_out // 2)
    assert s.sell_tax_bps() <= 100
    _only_action(token, pair, "hidden_admin_fee").run(w3)
    assert c.functions.owner().call() == ZERO
    assert c.functions.sellTaxPercent().call() == 99
    rest = b.swap.amount_out - b.swap.amount_out // 2
    s2 = measured_sell(w3, trader, zoo_chain.router, token.address, pair, rest)
    assert s2.sell_tax_bps() >= 9000


def test_proxy_swap_changes_behaviour_after_upgrade(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("proxy_swap")
    w3 = zoo_chain.w3
    proxy = Web3.to_checksum_address(token.address)

    def slot_address(slot: int) -> str:
        raw = w3.eth.get_storage_at(proxy, slot)
        return Web3.to_checksum_address(bytes(raw)[-20:])

    assert slot_address(IMPL_SLOT) == token.extra["impl_v1"]
    assert slot_address(ADMIN_SLOT) == token.owner.address
    trader = zoo_chain.traders[6]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 2).amount_out
    assert sell(w3, trader, zoo_chain.router, token.address, got // 2).amount_out > 0
    _only_action(token, pair, "proxy_upgrade").run(w3)
    assert slot_address(IMPL_SLOT) == token.extra["impl_v2"]
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, got // 4)
    # balances survived the swap: same storage, new rules
    assert token.contract(w3).functions.balanceOf(trader.address).call() == got - got // 2


def test_rug_pull_drains_the_pool(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("rug_pull")
    w3 = zoo_chain.w3
    trader = zoo_chain.traders[7]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH).amount_out
    _, weth_before = token_reserves(w3, pair, token.address)
    assert weth_before > 10 * ETH
    owner_eth = w3.eth.get_balance(token.owner.address)
    _only_action(token, pair, "rug_pull").run(w3)
    assert token.extra["lp_removed"] == token.extra["lp_minted"]
    _, weth_after = token_reserves(w3, pair, token.address)
    assert weth_after * 1_000_000 < weth_before  # only the locked MINIMUM_LIQUIDITY share is left
    assert w3.eth.get_balance(token.owner.address) > owner_eth + 10 * ETH
    assert sell(w3, trader, zoo_chain.router, token.address, got).amount_out < 10**12


def test_tax_hike_raises_sell_tax_to_99_percent(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("tax_hike")
    w3 = zoo_chain.w3
    trader = zoo_chain.traders[8]
    b = measured_buy(w3, trader, zoo_chain.router, token.address, pair, ETH // 2)
    assert b.swap.amount_out == b.pair_side - b.pair_side * 300 // 10_000
    half = b.swap.amount_out // 2
    s = measured_sell(w3, trader, zoo_chain.router, token.address, pair, half)
    assert s.pair_side == half - half * 300 // 10_000
    _only_action(token, pair, "tax_hike").run(w3)
    assert token.contract(w3).functions.taxes().call() == [9900, 9900]
    s2 = measured_sell(w3, trader, zoo_chain.router, token.address, pair, half)
    assert s2.sell_tax_bps() >= 9000
    assert s2.pair_side == half - half * 9900 // 10_000
