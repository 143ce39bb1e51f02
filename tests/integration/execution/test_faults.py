"""Fault injection on a real anvil: each fault ends in a correct journal and balance."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from claudedex.events import OrderUpdated
from claudedex.execution.states import OrderState
from claudedex.execution.txflow import FlowPolicy
from tests.integration.rpc_proxy import JsonRpcProxy

pytestmark = pytest.mark.anvil


def token_balance(chain: Any, token: str, owner: str) -> int:
    from claudedex.devnet.uniswap import erc20_contract

    return int(erc20_contract(chain.w3, token).functions.balanceOf(owner).call())


class StallingProxy(JsonRpcProxy):
    """JSON-RPC proxy to anvil that forwards a request, then withholds the answer."""

    def __init__(self, upstream: str, stall: dict[str, int]) -> None:
        super().__init__(upstream)
        self.stall = dict(stall)  # method -> how many answers to withhold
        self.seen: list[str] = []

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        method = body["method"]
        self.seen.append(method)
        async with self._session.post(self.upstream, json=body) as resp:
            answer = await resp.json()
        if self.stall.get(method, 0) > 0:
            self.stall[method] -= 1
            await asyncio.sleep(5)  # the client gave up long ago: the request DID land
        return web.json_response(answer)


async def test_rpc_timeouts_on_send_and_poll_do_not_duplicate(make_rig, chain,
                                                              make_proposal) -> None:
    proxy = StallingProxy(chain.rpc_url, {"eth_sendRawTransaction": 1,
                                          "eth_getTransactionReceipt": 2})
    url = await proxy.start()
    try:
        rig = await make_rig(rpc_url=url, rpc_timeout_s=1)
        order = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    finally:
        await proxy.stop()
    assert order.state is OrderState.FILLED, order.detail
    assert len(order.attempts) == 1
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    assert token_balance(chain, chain.plain, rig.account.address) == order.amount_out > 0
    assert proxy.seen.count("eth_sendRawTransaction") >= 1


async def buy_then_drop(rig: Any, chain: Any, make_proposal: Any,
                        sub: Any) -> tuple[asyncio.Task[Any], OrderUpdated, str]:
    """A buy of 0.01 ETH sent and pooled, then dropped from the node's pool: the order's
    task, its ``broadcast`` update and its signed bytes (as another node may still hold
    them)."""
    task = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
    sent = await rig.wait_state("broadcast", sub)
    await chain.wait_pooled(sent.tx_hash)
    raw = rig.engine.orders[sent.order_id].attempts[-1].raw
    chain.rpc("anvil_dropTransaction", [sent.tx_hash])
    return task, sent, raw


async def _no_automine(chain: Any) -> None:
    chain.rpc("evm_setAutomine", [False])


async def test_dropped_transaction_is_rebroadcast_and_fills_once(make_rig, chain,
                                                                 make_proposal) -> None:
    rig = await make_rig()
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    chain.rpc("evm_setAutomine", [False])
    try:
        task, _, _ = await buy_then_drop(rig, chain, make_proposal, sub)
        again = await rig.wait_state("broadcast", sub)  # the engine noticed and sent it again
        await chain.wait_pooled(again.tx_hash)
        chain.rpc("evm_mine", [])
        order = await asyncio.wait_for(task, 60)
    finally:
        chain.rpc("evm_setAutomine", [True])
    assert order.state is OrderState.FILLED, order.detail
    states = await rig.history(order.id)
    details = [(e.state, e.data["detail"]) for e in await rig.journal.history(order.id)]
    assert states.count("broadcast") == 2 and states.count("signed") == 1, details
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    assert token_balance(chain, chain.plain, rig.account.address) == order.amount_out


async def test_dropped_for_good_is_watched_until_its_deadline_then_expires(
        make_rig, chain, make_proposal) -> None:
    """Gone from our node's pool, past every rebroadcast, a swap is not given up while it
    could still be mined: it is watched until its deadline, then it expires (its nonce
    was given back meanwhile; with no order to take it, the next one gets it)."""
    rig = await make_rig(policy=FlowPolicy(max_rebroadcasts=0))
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    chain.rpc("evm_setAutomine", [False])
    try:
        task, sent, _ = await buy_then_drop(rig, chain, make_proposal, sub)
        done, _ = await asyncio.wait([task], timeout=2)  # 40 polls: watched, not failed
        assert not done
        assert (await rig.history(sent.order_id))[-1] == "broadcast"
        chain.rpc("evm_increaseTime", [3600])  # the deadline passes on the chain's clock
        chain.rpc("evm_mine", [])
        first = await asyncio.wait_for(task, 60)
    finally:
        chain.rpc("evm_setAutomine", [True])
    assert first.state is OrderState.FAILED
    assert (await rig.history(first.id))[-2:] == ["dropped", "failed"]
    assert "deadline" in (await rig.journal.history(first.id))[-2].data["detail"]
    second = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert second.state is OrderState.FILLED
    assert second.nonce == first.nonce == 0  # the gap was refilled, not skipped
    assert token_balance(chain, chain.plain, rig.account.address) == second.amount_out


async def test_an_order_sent_while_a_dropped_swap_is_watched_takes_its_nonce(
        make_rig, chain, make_proposal) -> None:
    """Red team: holding the dropped swap's nonce until its deadline left the next order
    behind a gap (queued, then past its own deadline: reverted, gas lost). The nonce is
    given to the next order at once; the dropped swap, still watched, ends replaced."""
    rig = await make_rig(policy=FlowPolicy(max_rebroadcasts=0))
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    chain.rpc("evm_setAutomine", [False])
    try:
        first, _, _ = await buy_then_drop(rig, chain, make_proposal, sub)
        done, _ = await asyncio.wait([first], timeout=1)
        assert not done  # still watched: its bytes may land elsewhere until the deadline
        second = asyncio.create_task(
            rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
        again = await rig.wait_state("broadcast", sub)
        await chain.wait_pooled(again.tx_hash)
        chain.rpc("evm_mine", [])
        b = await asyncio.wait_for(second, 60)
        a = await asyncio.wait_for(first, 60)
    finally:
        chain.rpc("evm_setAutomine", [True])
    assert b.state is OrderState.FILLED and b.nonce == a.nonce == 0, (b.detail, a.detail)
    assert a.state is OrderState.FAILED and "replaced" in a.detail
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    assert token_balance(chain, chain.plain, rig.account.address) == b.amount_out


async def test_a_dropped_swap_mined_from_another_pool_is_booked_as_its_fill(
        make_rig, chain, make_proposal) -> None:
    """Reproduction: our node forgot the transaction and execution gave up (``dropped``,
    nonce given back) while another node still held the signed bytes; they were mined
    and the tokens arrived with no fill booked. Now the order is held until its deadline,
    so the landing is its fill, with its one signature and nonce."""
    rig = await make_rig(policy=FlowPolicy(max_rebroadcasts=0))
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    chain.rpc("evm_setAutomine", [False])
    try:
        task, _, raw = await buy_then_drop(rig, chain, make_proposal, sub)
        done, _ = await asyncio.wait([task], timeout=1)
        assert not done  # before: failed as dropped by now, nonce 0 free again
        chain.w3.eth.send_raw_transaction(raw)  # another node's copy of the same bytes
        chain.rpc("evm_mine", [])
        order = await asyncio.wait_for(task, 60)
    finally:
        chain.rpc("evm_setAutomine", [True])
    assert order.state is OrderState.FILLED, order.detail
    states = await rig.history(order.id)
    assert states.count("signed") == 1 and "dropped" not in states and "failed" not in states
    assert token_balance(chain, chain.plain, rig.account.address) == order.amount_out > 0


async def test_front_run_swap_reverts_on_our_bound_and_only_gas_is_lost(
        make_rig, chain, make_proposal) -> None:
    from eth_account import Account

    from claudedex.execution import calls

    rig = await make_rig()
    attacker = next(chain.accounts)
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    eth_before = chain.w3.eth.get_balance(rig.account.address)
    chain.rpc("evm_setAutomine", [False])
    try:
        task = asyncio.create_task(rig.engine.execute(
            make_proposal(chain.plain, "buy", 10**17, slippage_bps=50)))
        sent = await rig.wait_state("broadcast", sub)
        await chain.wait_pooled(sent.tx_hash)
        order = next(iter(rig.engine.orders.values()))
        block = chain.w3.eth.get_block("latest")
        data = calls.swap_exact_eth_for_tokens(
            0, [chain.deployment.weth, chain.plain], attacker.address,
            block["timestamp"] + 600, fee_on_transfer=False)
        tx = {"chainId": 31337, "nonce": chain.w3.eth.get_transaction_count(attacker.address),
              "to": order.router, "data": data, "value": 2 * 10**18, "gas": 300_000,
              "maxFeePerGas": 300 * 10**9, "maxPriorityFeePerGas": 50 * 10**9, "type": 2}
        signed = Account.sign_transaction(tx, attacker.key)
        chain.w3.eth.send_raw_transaction(signed.raw_transaction)
        chain.rpc("evm_mine", [])
        result = await asyncio.wait_for(task, 60)
    finally:
        chain.rpc("evm_setAutomine", [True])
    assert result.state is OrderState.FAILED
    assert (await rig.history(result.id))[-2:] == ["reverted", "failed"]
    assert token_balance(chain, chain.plain, rig.account.address) == 0
    receipt = chain.w3.eth.get_transaction_receipt(result.mined_hash)
    gas_paid = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert eth_before - chain.w3.eth.get_balance(rig.account.address) == gas_paid


async def test_stuck_transaction_is_bumped_and_replaced(make_rig, chain, make_proposal) -> None:
    rig = await make_rig(policy=FlowPolicy(stuck_after_s=0.3))
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    chain.rpc("evm_setAutomine", [False])
    try:
        task = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
        await rig.wait_state("replaced", sub)
        sent = await rig.wait_state("broadcast", sub)
        await chain.wait_pooled(sent.tx_hash)
        chain.rpc("evm_mine", [])
        order = await asyncio.wait_for(task, 60)
    finally:
        chain.rpc("evm_setAutomine", [True])
    assert order.state is OrderState.FILLED, order.detail
    assert len(order.attempts) >= 2
    assert len({a.nonce for a in order.attempts}) == 1
    assert order.attempts[1].max_priority_fee_per_gas > order.attempts[0].max_priority_fee_per_gas
    assert order.mined_hash in order.hashes[1:]
    assert "replaced" in await rig.history(order.id)
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    assert token_balance(chain, chain.plain, rig.account.address) == order.amount_out


async def test_reorged_out_transaction_is_rebroadcast_and_filled_once(make_rig, chain,
                                                                       make_proposal) -> None:
    rig = await make_rig(policy=FlowPolicy(confirmations=3))
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    snapshot = chain.rpc("evm_snapshot", [])
    task = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
    await rig.wait_state("mined", sub)
    assert chain.rpc("evm_revert", [snapshot]) is True  # the block holding our swap is gone
    await rig.wait_state("broadcast", sub)
    async with asyncio.timeout(60):
        while not task.done():
            chain.rpc("evm_mine", [])
            await asyncio.sleep(0.1)
    order = task.result()
    assert order.state is OrderState.FILLED, order.detail
    states = await rig.history(order.id)
    assert states.count("mined") == 2 and states.count("signed") == 1
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    assert token_balance(chain, chain.plain, rig.account.address) == order.amount_out


async def test_a_dropped_transaction_past_its_deadline_is_never_sent_again(
        make_rig, chain, make_proposal) -> None:
    """Reproduction: after a crash following broadcast, a dropped transaction was re-sent by
    recovery an hour later: it reverted EXPIRED and the gas was paid. Past its deadline it is
    now marked expired and its nonce given back, never re-sent."""
    rig = await make_rig()
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    chain.rpc("evm_setAutomine", [False])
    try:
        task, _, _ = await buy_then_drop(rig, chain, make_proposal, sub)
        chain.rpc("evm_increaseTime", [3600])  # an hour later, as after a long outage
        chain.rpc("evm_mine", [])
        order = await asyncio.wait_for(task, 60)
    finally:
        chain.rpc("evm_setAutomine", [True])
    assert order.state is OrderState.FAILED
    assert (await rig.history(order.id))[-2:] == ["dropped", "failed"]
    assert "deadline" in (await rig.journal.history(order.id))[-2].data["detail"]
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 0  # never re-sent
    again = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert again.state is OrderState.FILLED and again.nonce == order.nonce
