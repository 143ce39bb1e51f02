"""Token mechanics measured at send time, not guessed.

Reproductions from the field: a 5 % fee-on-transfer token with no stored report "filled"
with less than its min-out and then failed its sell with ``UniswapV2: K`` after the
approval was mined; a USDT-style token (approve reverts unless the allowance is 0, no return
values) with a small leftover allowance failed its sell, and its approve order stayed
``journaled``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil
HERE = Path(__file__).resolve().parent


def compile_tether_like() -> tuple[list, str]:
    from claudedex.devnet.zoo.compile import _NODE_SCRIPT, SETTINGS, SOLCJS_DIR

    source = (HERE / "contracts" / "TetherLike.sol").read_text()
    request = {"language": "Solidity", "sources": {"TetherLike.sol": {"content": source}},
               "settings": SETTINGS}
    done = subprocess.run(["node", "-e", _NODE_SCRIPT, str(SOLCJS_DIR)], input=json.dumps(request),
                          capture_output=True, text=True, check=True, timeout=120)
    contract = json.loads(done.stdout)["output"]["contracts"]["TetherLike.sol"]["TetherLike"]
    return contract["abi"], "0x" + contract["evm"]["bytecode"]["object"]


async def test_an_unmeasured_fee_on_transfer_token_never_fills_short(make_rig, chain,
                                                                     make_proposal) -> None:
    rig = await make_rig()  # no report for the taxed token: its tax was never measured
    tight = await rig.engine.execute(make_proposal(chain.taxed, "buy", 10**16,
                                                   slippage_bps=chain.tax_bps // 2))
    assert tight.state is OrderState.FAILED and "reverted" in tight.detail  # not a short fill
    wide = await rig.engine.execute(make_proposal(chain.taxed, "buy", 10**16, slippage_bps=900))
    assert wide.state is OrderState.FILLED and wide.amount_out >= wide.amount_out_min
    fot = keccak(text="swapExactETHForTokensSupportingFeeOnTransferTokens("
                      "uint256,address[],address,uint256)")[:4]
    assert wide.data.startswith("0x" + fot.hex())  # min-out checked on what arrived
    sell = await rig.engine.execute(make_proposal(chain.taxed, "sell", wide.amount_out,
                                                  slippage_bps=900))
    assert sell.state is OrderState.FILLED, sell.detail  # no UniswapV2: K


async def test_a_usdt_style_token_with_a_leftover_allowance_sells(make_rig, chain,
                                                                  make_proposal) -> None:
    from claudedex.devnet.zoo import add_liquidity_eth

    abi, bytecode = compile_tether_like()
    owner = Account.from_key(chain.anvil.accounts[1].private_key)
    w3 = chain.w3
    factory = w3.eth.contract(abi=abi, bytecode=bytecode)
    tx_hash = factory.constructor(10**15).transact({"from": owner.address})
    address = w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
    router = chain.deployment.venues["uniswap"].router
    add_liquidity_eth(w3, owner, router, address, 5 * 10**14, 10 * 10**18)
    rig = await make_rig()
    bought = await rig.engine.execute(make_proposal(address, "buy", 10**17, slippage_bps=300))
    assert bought.state is OrderState.FILLED, bought.detail
    token = w3.eth.contract(address=address, abi=abi)
    token.functions.approve(router, 1).transact({"from": rig.account.address})  # leftover
    sell = await rig.engine.execute(make_proposal(address, "sell", bought.amount_out,
                                                  slippage_bps=300))
    assert sell.state is OrderState.FILLED, sell.detail
    assert token.functions.balanceOf(rig.account.address).call() == 0
    reset, approve = (await rig.history(f"{sell.id}:approve-reset"),
                      await rig.history(f"{sell.id}:approve"))
    assert reset[-1] == "filled" and approve[-1] == "filled"
