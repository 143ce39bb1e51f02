"""Private send through the local Flashbots-JSON-RPC relay; the 1inch-shaped aggregator."""

from __future__ import annotations

import pytest
from eth_account import Account

from claudedex.execution.aggregator import NATIVE, AggregatorClient, AggregatorError
from claudedex.execution.relay import PrivateBroadcaster, RelayClient
from claudedex.execution.relay_server import RelayServer
from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil


async def test_private_send_goes_through_the_relay_with_a_signed_request(
        make_rig, chain, make_proposal) -> None:
    auth = Account.create()
    async with RelayServer(chain.rpc_url) as relay:
        client = RelayClient(relay.url, auth_key=auth.key.hex())
        rig = await make_rig()
        rig.engine.flow.broadcaster = PrivateBroadcaster(rig.aw3, client)
        try:
            order = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
        finally:
            await client.close()
    assert order.state is OrderState.FILLED, order.detail
    assert relay.private_hashes == [order.mined_hash]
    assert relay.signers == [auth.address]


async def test_bundle_lands_in_one_block(chain) -> None:
    sender = next(chain.accounts)
    nonce = chain.w3.eth.get_transaction_count(sender.address)
    raws = [Account.sign_transaction({
        "chainId": 31337, "nonce": nonce + i, "to": sender.address, "value": 1, "gas": 21_000,
        "maxFeePerGas": 100 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2},
        sender.key).raw_transaction for i in range(2)]
    async with RelayServer(chain.rpc_url) as relay:
        client = RelayClient(relay.url)
        try:
            bundle_hash = await client.send_bundle(raws, chain.w3.eth.block_number + 1)
        finally:
            await client.close()
    assert bundle_hash.startswith("0x") and len(relay.bundles) == 1
    blocks = {chain.w3.eth.get_transaction_receipt(h)["blockNumber"] for h in relay.bundles[0]}
    assert len(blocks) == 1


async def test_aggregator_quotes_like_the_best_venue_and_its_swap_executes(chain) -> None:
    from web3 import AsyncHTTPProvider, AsyncWeb3

    from claudedex.devnet.uniswap import erc20_contract
    from claudedex.execution.aggregator_server import AggregatorServer
    from claudedex.execution.routing import best_v2_quote

    trader = next(chain.accounts)
    async with AggregatorServer(chain.rpc_url, chain.deployment.weth, chain.venues(),
                                31337) as server:
        client = AggregatorClient(server.url, 31337)
        w3 = AsyncWeb3(AsyncHTTPProvider(chain.rpc_url))
        try:
            quoted = await client.quote(NATIVE, chain.plain, 10**17)
            best = await best_v2_quote(w3, chain.venues(), chain.deployment.weth, chain.plain,
                                       10**17)
            swap = await client.swap(NATIVE, chain.plain, 10**17, trader.address, 75)
            with pytest.raises(AggregatorError):
                await client.quote(NATIVE, "not-an-address", 10**17)
        finally:
            await client.close()
            await w3.provider.disconnect()
    assert best is not None and quoted == best.expected_out == swap.dst_amount
    assert swap.to == best.venue.router and swap.value == 10**17
    tx = {"chainId": 31337, "nonce": chain.w3.eth.get_transaction_count(trader.address),
          "to": swap.to, "data": swap.data, "value": swap.value, "gas": 300_000,
          "maxFeePerGas": 100 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2}
    tx_hash = chain.w3.eth.send_raw_transaction(Account.sign_transaction(tx, trader.key)
                                                .raw_transaction)
    assert chain.w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    got = erc20_contract(chain.w3, chain.plain).functions.balanceOf(trader.address).call()
    assert got >= swap.dst_amount * 9_925 // 10_000


def test_planner_refuses_aggregator_calldata_with_a_looser_bound(chain) -> None:
    from claudedex.domain import Side
    from claudedex.execution import calls
    from claudedex.execution.order import Order
    from claudedex.execution.planner import Planner

    me = Account.create().address
    planner = Planner(None, chain.venues(), chain.deployment.weth, me, max_slippage_bps=300)
    order = Order(id="o", proposal_id="p", side=Side.BUY, token=chain.plain, amount_in=10**17,
                  amount_out_min=1_000)
    path = [chain.deployment.weth, chain.plain]
    good = calls.swap_exact_eth_for_tokens(1_000, path, me, 2**40, fee_on_transfer=False)
    loose = calls.swap_exact_eth_for_tokens(999, path, me, 2**40, fee_on_transfer=False)
    thief = calls.swap_exact_eth_for_tokens(1_000, path, chain.plain, 2**40, fee_on_transfer=False)
    assert planner._acceptable("0x" + good.hex(), order, path)
    assert not planner._acceptable("0x" + loose.hex(), order, path)
    assert not planner._acceptable("0x" + thief.hex(), order, path)
