"""An early warning re-judges a held token as if the pending transaction were mined:
the rug_pull family (risky before the rug: its LP is unlocked) turns scam while the pull is
pending."""

from __future__ import annotations

import random

import pytest
from eth_account import Account
from web3 import AsyncWeb3, Web3

from claudedex.bus import EventBus
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import pair_contract, router_contract
from claudedex.devnet.zoo import deploy_family, launch
from claudedex.domain import PairInfo, Verdict
from claudedex.safety.analyzer import SafetyAnalyzer

pytestmark = pytest.mark.anvil


async def test_pending_liquidity_pull_makes_it_scam() -> None:
    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        venue = dep.venue("uniswap")
        tok = deploy_family(w3, "rug_pull", owner, name="R", symbol="R", supply=10**27,
                            rng=random.Random(1), deployment=dep)
        pair = launch(w3, tok, venue.router, token_amount=5 * 10**26, eth_amount=5 * 10**18)
        sender = Sender.from_dev(w3, owner.key.hex())
        lp = pair_contract(w3, pair)
        sender.transact(lp.functions.approve(venue.router, 2**256 - 1))
        analyzer = SafetyAnalyzer(EventBus(), aw3, {"uniswap": venue.router}, dep.weth,
                                  chain_id=dep.chain_id)
        info = PairInfo(chain_id=dep.chain_id, venue="uniswap", pair=pair.lower(),
                        token=tok.address.lower(), quote=dep.weth.lower(), block_number=0)
        before = await analyzer.assess_pair(info)
        assert before is not None and before.verdict is Verdict.RISKY  # LP unlocked

        w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
        held = lp.functions.balanceOf(owner.address).call()
        remove = router_contract(w3, venue).encode_abi(
            "removeLiquidityETH", args=[tok.address, held, 0, 0, owner.address, 2**40])
        tx_hash = sender.send_raw(to=Web3.to_checksum_address(venue.router),
                                  data=bytes.fromhex(remove[2:]), gas=500_000)
        after = await analyzer.assess_pair(info, reason="liquidity_removal",
                                           pending_tx=tx_hash.to_0x_hex())
        assert after is not None and after.verdict is Verdict.SCAM
        assert "PENDING_LIQUIDITY_REMOVAL" in {f.code for f in after.findings}
    finally:
        await aw3.provider.disconnect()
        anvil.stop()
