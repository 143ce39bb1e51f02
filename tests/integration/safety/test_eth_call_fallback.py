"""Nodes without eth_simulateV1: the same round trip from one eth_call with a state override."""

from __future__ import annotations

import random

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import deploy_family, launch
from claudedex.rpc.reader import ChainReader
from claudedex.safety.prober import Market
from claudedex.safety.roundtrip import call_round_trip, simulate_round_trip
from claudedex.safety.sellability import judge_round_trip

pytestmark = pytest.mark.anvil


async def test_fallback_agrees_with_simulation() -> None:
    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        router = dep.venue("uniswap").router
        reader = ChainReader(aw3)
        for fam, proof in (("honest_renounced", None), ("honeypot", "HONEYPOT"),
                           ("extreme_sell_tax", "EXTREME_SELL_TAX"), ("gas_trap", "GAS_TRAP")):
            tok = deploy_family(w3, fam, owner, name="F", symbol="F", supply=10**27,
                                rng=random.Random(4), deployment=dep)
            pair = launch(w3, tok, router, token_amount=10**26, eth_amount=10**19)
            market = Market(router.lower(), dep.weth.lower(), tok.address.lower(), pair.lower())
            via_call = judge_round_trip(await call_round_trip(reader, market, 10**17))
            via_sim = judge_round_trip(await simulate_round_trip(reader, market, 10**17))
            codes = {f.code for f in via_call.findings}
            if proof is None:
                assert via_call.can_sell and via_call.sell_tax_bps == 0, via_call.findings
            else:
                assert proof in codes, via_call.findings
            assert via_call.buy_tax_bps == via_sim.buy_tax_bps
            assert via_call.sell_tax_bps == via_sim.sell_tax_bps
    finally:
        await aw3.provider.disconnect()
        anvil.stop()
