"""MempoolMonitor on a real anvil with mining paused: warnings before the block lands."""

from __future__ import annotations

import random

import pytest
from eth_account import Account
from web3 import AsyncWeb3, Web3

from claudedex.bus import EventBus
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import router_contract
from claudedex.devnet.zoo import deploy_family, launch
from claudedex.discovery.mempool import MempoolMonitor
from claudedex.events import EarlyWarningRaised

pytestmark = pytest.mark.anvil


async def test_owner_call_and_liquidity_removal_are_warned() -> None:
    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        venue = dep.venue("uniswap")
        tok = deploy_family(w3, "owner_pause", owner, name="P", symbol="P", supply=10**27,
                            rng=random.Random(1), deployment=dep)
        pair = launch(w3, tok, venue.router, token_amount=10**26, eth_amount=10**18)
        token = tok.address.lower()
        bus = EventBus()
        sub = bus.subscribe("test", [EarlyWarningRaised.topic])
        monitor = MempoolMonitor(bus, aw3, lambda: {token}, routers=[venue.router],
                                 pairs=lambda: {pair: token})
        filter_id = await monitor.reader.request("eth_newPendingTransactionFilter", [])
        w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
        sender = Sender.from_dev(w3, owner.key.hex())
        contract = tok.contract(w3)
        pause_hash = sender.send_raw(
            to=tok.address, data=bytes.fromhex(
                contract.encode_abi("setTrading", args=[False])[2:]), gas=200_000)
        lp = w3.eth.contract(address=Web3.to_checksum_address(pair), abi=[{
            "name": "approve", "type": "function", "stateMutability": "nonpayable",
            "inputs": [{"name": "s", "type": "address"}, {"name": "v", "type": "uint256"}],
            "outputs": [{"name": "", "type": "bool"}]}])
        sender.send_raw(to=pair, data=bytes.fromhex(
            lp.encode_abi("approve", args=[venue.router, 2**256 - 1])[2:]), gas=100_000)
        remove = router_contract(w3, venue).encode_abi(
            "removeLiquidityETH", args=[tok.address, 10**18, 0, 0, owner.address, 2**40])
        remove_hash = sender.send_raw(to=venue.router, data=bytes.fromhex(remove[2:]),
                                      gas=400_000)
        hashes = await monitor.reader.request("eth_getFilterChanges", [filter_id])
        for h in hashes:
            await monitor.inspect(str(h))
        warnings = []
        while (ev := sub.get_nowait()) is not None:
            assert isinstance(ev, EarlyWarningRaised)
            warnings.append(ev)
        kinds = {(w.kind, w.tx_hash) for w in warnings}
        assert ("pause", pause_hash.to_0x_hex()) in kinds
        assert ("liquidity_removal", remove_hash.to_0x_hex()) in kinds
        assert all(w.token == token for w in warnings)
        pending = w3.provider.make_request(  # type: ignore[arg-type]
            "eth_getTransactionReceipt", [pause_hash.to_0x_hex()])
        assert pending.get("result") is None  # warned while the owner's call is still pending
    finally:
        await aw3.provider.disconnect()
        anvil.stop()


async def test_websocket_pending_stream() -> None:
    import asyncio

    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    task = None
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        venue = dep.venue("uniswap")
        tok = deploy_family(w3, "tax_hike", owner, name="T", symbol="T", supply=10**27,
                            rng=random.Random(1), deployment=dep)
        launch(w3, tok, venue.router, token_amount=10**26, eth_amount=10**18)
        token = tok.address.lower()
        bus = EventBus()
        sub = bus.subscribe("test", [EarlyWarningRaised.topic])
        monitor = MempoolMonitor(bus, aw3, lambda: {token}, routers=[venue.router],
                                 ws_url=anvil.ws_url, poll_interval_s=3600)
        task = asyncio.create_task(monitor.run())
        await asyncio.sleep(1.0)
        w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
        data = tok.contract(w3).encode_abi("updateTaxes", args=[9900, 9900])
        tx_hash = Sender.from_dev(w3, owner.key.hex()).send_raw(
            to=tok.address, data=bytes.fromhex(data[2:]), gas=200_000)

        async def first() -> EarlyWarningRaised:
            async for ev in sub:
                if isinstance(ev, EarlyWarningRaised):
                    return ev
            raise AssertionError("closed")

        warning = await asyncio.wait_for(first(), timeout=20)
        assert warning.kind == "fee_change" and warning.tx_hash == tx_hash.to_0x_hex()
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await aw3.provider.disconnect()
        anvil.stop()
