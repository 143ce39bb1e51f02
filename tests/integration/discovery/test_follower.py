"""PairFollower on a real anvil: once per pair, resume after restart, prices from Sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from web3 import AsyncWeb3, Web3

from claudedex.bus import EventBus
from claudedex.devnet.artifacts import load_artifact
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import erc20_contract, factory_contract, router_contract
from claudedex.discovery.follower import PairFollower
from claudedex.discovery.state import FileStateStore
from claudedex.events import BlockSeen, Event, PairDiscovered, PriceTicked

pytestmark = pytest.mark.anvil


@pytest.fixture()
def chain() -> Iterator[tuple[Any, Web3, Any]]:
    anvil, w3, dep = start_devnet_chain()
    try:
        yield anvil, w3, dep
    finally:
        anvil.stop()


def _new_pool(w3: Web3, dep: Any, sender: Sender, eth: int = 10**18) -> tuple[str, str]:
    token = Web3.to_checksum_address(
        sender.deploy(load_artifact("ERC20").bytecode, encode(["uint256"], [10**24])))
    venue = dep.venue("uniswap")
    sender.transact(erc20_contract(w3, token).functions.approve(venue.router, 2**256 - 1))
    sender.transact(router_contract(w3, venue).functions.addLiquidityETH(
        token, 10**23, 0, 0, sender.address, 2**40), value=eth)
    pair = factory_contract(w3, venue).functions.getPair(token, dep.weth).call()
    return token.lower(), str(pair).lower()


def _drain(sub: Any) -> list[Event]:
    out = []
    while (ev := sub.get_nowait()) is not None:
        out.append(ev)
    return out


async def test_discovers_once_resumes_and_ticks(chain: tuple[Any, Web3, Any],
                                                tmp_path: Path) -> None:
    anvil, w3, dep = chain
    sender = Sender.from_dev(w3, anvil.accounts[1])
    factories = {name: v.factory for name, v in dep.venues.items()}
    store_path = tmp_path / "state.json"
    bus = EventBus()
    sub = bus.subscribe("test")
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        follower = PairFollower(bus, aw3, factories, dep.weth, dep.chain_id,
                                FileStateStore(store_path), start_block=0)
        token, pair = _new_pool(w3, dep, sender)
        head = await follower.step()
        await follower.step()  # same blocks again (reorg window): no duplicate
        events = _drain(sub)
        found = [e for e in events if isinstance(e, PairDiscovered)]
        assert [e.pair.pair for e in found] == [pair]
        info = found[0].pair
        assert info.token == token and info.venue == "uniswap" and info.quote == dep.weth.lower()
        assert any(isinstance(e, BlockSeen) and e.number == head for e in events)
        ticks = [e for e in events if isinstance(e, PriceTicked)]
        assert ticks and ticks[-1].reserve_token == 10**23 and ticks[-1].reserve_quote == 10**18

        # restart: a new follower on the same state file resumes, no duplicate discovery
        token2, pair2 = _new_pool(w3, dep, sender)
        restarted = PairFollower(bus, aw3, factories, dep.weth, dep.chain_id,
                                 FileStateStore(store_path))
        await restarted.step()
        found = [e for e in _drain(sub) if isinstance(e, PairDiscovered)]
        assert [e.pair.pair for e in found] == [pair2]

        # a swap on the first pool produces a fresh price for it
        venue = dep.venue("uniswap")
        swap = router_contract(w3, venue).functions.swapExactETHForTokens(
            0, [dep.weth, Web3.to_checksum_address(token)], sender.address, 2**40)
        print(swap.call({"from": sender.address, "value": 10**17}))
        sender.transact(swap, value=10**17)
        await restarted.step()
        ticks = [e for e in _drain(sub) if isinstance(e, PriceTicked) and e.pair == pair]
        assert ticks and ticks[-1].reserve_quote == 10**18 + 10**17
    finally:
        await aw3.provider.disconnect()


async def test_reorged_in_pair_is_still_discovered(chain: tuple[Any, Web3, Any]) -> None:
    """A pair mined at a height the follower already processed (after a reorg) is found."""
    anvil, w3, dep = chain
    sender = Sender.from_dev(w3, anvil.accounts[1])
    bus = EventBus()
    sub = bus.subscribe("test", [PairDiscovered.topic])
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        from claudedex.discovery.state import MemoryStateStore

        follower = PairFollower(bus, aw3, {n: v.factory for n, v in dep.venues.items()},
                                dep.weth, dep.chain_id, MemoryStateStore(), reorg_depth=12)
        await follower.step()
        snap = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        _, pair_a = _new_pool(w3, dep, sender)
        head_a = await follower.step()
        w3.provider.make_request("evm_revert", [snap])  # type: ignore[arg-type]
        other = Sender.from_dev(w3, anvil.accounts[2])  # another token, so another pair
        _, pair_b = _new_pool(w3, dep, other, eth=2 * 10**18)  # same heights, other chain
        assert w3.eth.block_number <= head_a
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        await follower.step()
        found = [e.pair.pair for e in _drain(sub) if isinstance(e, PairDiscovered)]
        assert found == [pair_a, pair_b] and pair_a != pair_b
    finally:
        await aw3.provider.disconnect()


async def test_websocket_heads_drive_discovery(chain: tuple[Any, Web3, Any]) -> None:
    """With a websocket URL, new heads (not the slow poll) trigger the scan."""
    import asyncio

    from claudedex.discovery.state import MemoryStateStore

    anvil, w3, dep = chain
    sender = Sender.from_dev(w3, anvil.accounts[1])
    bus = EventBus()
    sub = bus.subscribe("test", [PairDiscovered.topic])
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    follower = PairFollower(bus, aw3, {n: v.factory for n, v in dep.venues.items()}, dep.weth,
                            dep.chain_id, MemoryStateStore(), ws_url=anvil.ws_url,
                            poll_interval_s=3600)
    task = asyncio.create_task(follower.run())
    try:
        await asyncio.sleep(1.0)
        _, pair = await asyncio.to_thread(_new_pool, w3, dep, sender)

        async def first() -> PairDiscovered:
            async for ev in sub:
                if isinstance(ev, PairDiscovered):
                    return ev
            raise AssertionError("closed")

        ev = await asyncio.wait_for(first(), timeout=20)
        assert ev.pair.pair == pair
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await aw3.provider.disconnect()
