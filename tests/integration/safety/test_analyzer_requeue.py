"""The analyzer never leaves a pair without a real verdict: a pool funded while it was being
judged empty is judged again at once, and a judgement that failed on a node error is tried
again on the next block (a quiet pool sends no Sync that would ask again)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import deploy_family, launch
from claudedex.devnet.zoo.trading import pair_address
from claudedex.domain import PairInfo, Verdict
from claudedex.events import BlockSeen, PairDiscovered, PriceTicked, RiskAssessed
from claudedex.safety.analyzer import SafetyAnalyzer
from claudedex.safety.assess import CHECKS_FAILED
from tests.integration.rpc_proxy import JsonRpcProxy

pytestmark = pytest.mark.anvil


class FlakyNode(JsonRpcProxy):
    """A JSON-RPC proxy in front of anvil that answers every request with an error while
    ``failing`` is set."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.failing = False

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        body = await request.json()
        if self.failing:
            if isinstance(body, list):
                return web.json_response([{"jsonrpc": "2.0", "id": b["id"], "error": {
                    "code": -32000, "message": "node overloaded"}} for b in body])
            return web.json_response({"jsonrpc": "2.0", "id": body["id"], "error": {
                "code": -32000, "message": "node overloaded"}})
        async with self._session.post(self.upstream, json=body) as resp:
            return web.json_response(await resp.json())


async def _until(cond: Callable[[], bool]) -> None:
    """Yield to the event loop until ``cond`` holds (bounded by the caller's wait_for)."""
    while not cond():  # noqa: ASYNC110 - the state lives in the analyzer, no event to wait on
        await asyncio.sleep(0.01)


async def _report(sub: Any, pair: str) -> RiskAssessed:
    async def wait() -> RiskAssessed:
        async for ev in sub:
            if isinstance(ev, RiskAssessed) and ev.report.pair.lower() == pair:
                return ev
        raise AssertionError("subscription closed")

    return await asyncio.wait_for(wait(), timeout=60)


def _info(dep: Any, pair: str, token: str, block: int) -> PairInfo:
    return PairInfo(chain_id=dep.chain_id, venue="uniswap", pair=pair, token=token,
                    quote=dep.weth, block_number=block)


async def test_pool_funded_while_judged_empty_is_judged_again() -> None:
    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    bus = EventBus()
    sub = bus.subscribe("test", [RiskAssessed.topic])
    analyzer = SafetyAnalyzer(bus, aw3, {n: v.router for n, v in dep.venues.items()}, dep.weth,
                              chain_id=dep.chain_id, settle_blocks=0, concurrency=1)
    try:
        owner = Account.from_key(anvil.accounts[3].private_key)
        # its constructor creates the (empty) pair
        tok = deploy_family(w3, "honest_fixed_tax", owner, name="T", symbol="T", supply=10**27,
                            rng=random.Random(2), deployment=dep)
        pair = pair_address(w3, dep.venue("uniswap").router, tok.address).lower()
        async with asyncio.TaskGroup() as tg:
            task = tg.create_task(analyzer.run())
            await asyncio.sleep(0)  # run() subscribes before its first await
            await analyzer._gate.acquire()  # the only slot: the judgement waits before reading
            await bus.publish(PairDiscovered(pair=_info(dep, pair, tok.address,
                                                        w3.eth.block_number)))
            await asyncio.wait_for(_until(lambda: pair in analyzer._inflight), 30)
            # the funding Sync arrives while the empty pool is being judged
            await bus.publish(PriceTicked(pair=pair, reserve_token=1, reserve_quote=1,
                                          block_number=w3.eth.block_number))
            await asyncio.wait_for(_until(lambda: pair in analyzer._funded_meanwhile), 30)
            analyzer._gate.release()
            first = (await _report(sub, pair)).report
            assert "NO_LIQUIDITY" in {f.code for f in first.findings}
            # no further event: the analyzer asks again by itself
            second = (await _report(sub, pair)).report
            assert second.pair.lower() == pair
            assert pair not in analyzer._empty or second.liquidity_quote is None
            task.cancel()
    finally:
        await aw3.provider.disconnect()
        anvil.stop()


async def test_failed_judgement_is_retried_on_the_next_block() -> None:
    anvil, w3, dep = start_devnet_chain()
    node = FlakyNode(anvil.rpc_url)
    url = await node.start()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(url))
    bus = EventBus()
    sub = bus.subscribe("test", [RiskAssessed.topic])
    analyzer = SafetyAnalyzer(bus, aw3, {n: v.router for n, v in dep.venues.items()}, dep.weth,
                              chain_id=dep.chain_id, settle_blocks=0)
    try:
        owner = Account.from_key(anvil.accounts[3].private_key)
        hp = deploy_family(w3, "honeypot", owner, name="H", symbol="H", supply=10**27,
                           rng=random.Random(2), deployment=dep)
        pair = (await asyncio.to_thread(launch, w3, hp, dep.venue("uniswap").router,
                                        token_amount=10**26, eth_amount=10**18)).lower()
        head = w3.eth.block_number
        async with asyncio.TaskGroup() as tg:
            task = tg.create_task(analyzer.run())
            await asyncio.sleep(0)  # run() subscribes before its first await
            node.failing = True
            await bus.publish(PairDiscovered(pair=_info(dep, pair, hp.address, head)))
            failed = (await _report(sub, pair)).report
            assert CHECKS_FAILED in {f.code for f in failed.findings}
            node.failing = False
            await bus.publish(BlockSeen(chain_id=dep.chain_id, number=head + 1))
            retried = (await _report(sub, pair)).report
            assert CHECKS_FAILED not in {f.code for f in retried.findings}
            assert retried.verdict is Verdict.SCAM and retried.liquidity_quote
            task.cancel()
    finally:
        await aw3.provider.disconnect()
        await node.stop()
        anvil.stop()
