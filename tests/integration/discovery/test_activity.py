"""MarketActivity on a real anvil: swaps attributed to wallets, whale alerts, volume stats."""

from __future__ import annotations

import random

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import buy, deploy_family, launch, sell
from claudedex.discovery.activity import MarketActivity
from claudedex.domain import Side
from claudedex.events import AlertRaised

pytestmark = pytest.mark.anvil


async def test_swaps_whales_and_volume() -> None:
    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        trader = Account.from_key(anvil.accounts[4].private_key)
        whale = Account.from_key(anvil.accounts[5].private_key)
        router = dep.venue("uniswap").router
        tok = deploy_family(w3, "honest_renounced", owner, name="A", symbol="A", supply=10**27,
                            rng=random.Random(1), deployment=dep)
        pair = launch(w3, tok, router, token_amount=10**26, eth_amount=50 * 10**18).lower()
        quote_is_token0 = dep.weth.lower() < tok.address.lower()
        bus = EventBus()
        sub = bus.subscribe("t", [AlertRaised.topic])
        known = {pair: (tok.address.lower(), quote_is_token0)}
        activity = MarketActivity(bus, aw3, lambda: known, tracked_wallets=[trader.address],
                                  whale_quote=10 * 10**18)
        await activity.step()  # start at the head
        buy(w3, trader, router, tok.address, 10**17)
        buy(w3, whale, router, tok.address, 12 * 10**18)
        held = tok.contract(w3).functions.balanceOf(trader.address).call()
        sell(w3, trader, router, tok.address, held)
        swaps = await activity.step()
        assert [(s.wallet, s.side) for s in swaps] == [
            (trader.address.lower(), Side.BUY), (whale.address.lower(), Side.BUY),
            (trader.address.lower(), Side.SELL)]
        assert swaps[0].quote_amount == 10**17
        alerts = []
        while (ev := sub.get_nowait()) is not None:
            assert isinstance(ev, AlertRaised)
            alerts.append(ev.message)
        assert len(alerts) == 3  # tracked wallet twice, whale once
        assert any("whale" in a and whale.address.lower() in a for a in alerts)
        stats = activity.volume.stats(pair)
        assert stats.unique_traders == 2 and stats.swaps == 3
    finally:
        await aw3.provider.disconnect()
        anvil.stop()
