"""A fill is final only under the profile's confirmations; a reorg before that rolls it back.

Reproduction from the field: a one-block reorg removed a filled buy; the wallet held 0
tokens and ``orders`` still said ``filled``. Now, with ``confirmations`` above 0, a fill is
``confirming`` until that many blocks are built on its block; if its block is replaced
first (``anvil_reorg``), the order is ``reorged``, the fill is taken back from the position,
P&L and fill history, the operator gets an error alert, and the same signed transaction is
watched again (re-mined or rebroadcast; never signed twice) until it is final.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from claudedex.config import load_profile
from claudedex.events import AlertRaised, FillRolledBack, OrderFilled, OrderUpdated
from claudedex.execution.states import OrderState
from claudedex.observability.metrics import EngineMetrics
from claudedex.portfolio.tracker import PortfolioTracker
from claudedex.storage.recorder import StorageRecorder
from claudedex.storage.repo_trading import TradingRepo

pytestmark = pytest.mark.anvil
CONFIRMATIONS = 2


def confirming_profile(confirmations: int = CONFIRMATIONS) -> Any:
    profile = load_profile("devnet")
    chain = profile.chain.model_copy(update={"confirmations": confirmations})
    return profile.model_copy(update={"chain": chain})


def token_balance(chain, token: str, owner: str) -> int:
    from claudedex.devnet.uniswap import erc20_contract

    return int(erc20_contract(chain.w3, token).functions.balanceOf(owner).call())


class Audit:
    async def append(self, actor: str, action: str, detail: dict[str, Any]) -> object:
        return None


async def mine_until_done(chain, task: asyncio.Task[Any]) -> Any:
    async with asyncio.timeout(60):
        while not task.done():
            chain.rpc("evm_mine", [])
            await asyncio.sleep(0.05)
    return task.result()


async def test_a_reorged_fill_is_rolled_back_and_lands_once(make_rig, chain,
                                                            make_proposal) -> None:
    rig = await make_rig(profile=confirming_profile())
    tracker = PortfolioTracker(rig.bus, rig.engine.profile, rig.engine.clock)
    recorder = StorageRecorder(rig.bus, rig.db, Audit())
    metrics = EngineMetrics()
    sub = rig.bus.subscribe("t", [OrderUpdated.topic, OrderFilled.topic, FillRolledBack.topic,
                                  AlertRaised.topic])
    task = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
    seen: list[Any] = []

    async def next_event(kind: type, state: str = "") -> Any:
        async with asyncio.timeout(60):
            async for ev in sub:
                seen.append(ev)
                metrics.observe(ev)
                if isinstance(ev, (OrderFilled, FillRolledBack)):
                    await tracker.handle(ev)  # the portfolio's own handler, in bus order
                    await recorder.handle(ev)
                if isinstance(ev, kind) and (not state or getattr(ev, "state", "") == state):
                    return ev
        raise AssertionError(f"no {kind.__name__} {state}")

    await next_event(OrderUpdated, "confirming")  # journaled, then the fill is published
    first = await next_event(OrderFilled)
    held = tracker.core.book.positions[chain.plain.lower()]
    assert held.amount == first.amount_out > 0
    cash_before = tracker.core.book.cash + first.amount_in + first.gas_cost_wei
    assert not task.done()  # not final: no blocks on top yet
    assert token_balance(chain, chain.plain, rig.account.address) == first.amount_out

    chain.rpc("anvil_reorg", [1, []])  # a one-block reorg: the fill's block is replaced
    undo = await next_event(FillRolledBack)
    assert undo.order_id == first.order_id and undo.amount_out == first.amount_out
    # the position and the cash are what they were before the fill, the fill history empty
    assert tracker.core.book.positions[chain.plain.lower()].amount == 0
    assert tracker.core.book.cash == cash_before
    assert await TradingRepo(rig.db).list_fills(first.order_id) == []
    alert = await next_event(AlertRaised)
    assert alert.level == "error" and "REORG" in alert.message and first.order_id in alert.message
    assert metrics.rollbacks.labels("buy")._value.get() == 1

    again = await next_event(OrderFilled)  # the same transaction landed again
    order = await mine_until_done(chain, task)
    assert order.state is OrderState.FILLED, order.detail
    states = await rig.history(order.id)
    assert states.count("signed") == 1  # never re-signed
    assert states[states.index("confirming"):].count("reorged") == 1
    assert states[-2:] == ["confirming", "filled"]
    assert "blocks on top" in (await rig.journal.history(order.id))[-1].data["detail"]
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1  # one nonce used
    balance = token_balance(chain, chain.plain, rig.account.address)
    assert balance == order.amount_out == again.amount_out
    assert tracker.core.book.positions[chain.plain.lower()].amount == balance
    assert [f.amount_out for f in await TradingRepo(rig.db).list_fills(order.id)] == [balance]
    head = chain.w3.eth.block_number
    assert head - order.block_number >= CONFIRMATIONS


async def test_a_confirming_fill_is_followed_again_after_a_restart(make_rig, chain,
                                                                   make_proposal,
                                                                   tmp_path) -> None:
    profile = confirming_profile()
    db_path = tmp_path / "restart.db"
    rig = await make_rig(profile=profile, db_path=db_path)
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    task = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
    await rig.wait_state("confirming", sub)
    task.cancel()  # the engine dies while the fill waits for its confirmations
    await asyncio.gather(task, return_exceptions=True)

    again = await make_rig(profile=profile, db_path=db_path, account=rig.account)
    recovering = asyncio.create_task(again.engine.recover())
    [order] = await mine_until_done(chain, recovering)
    assert order.state is OrderState.FILLED, order.detail
    assert (await again.history(order.id))[-2:] == ["confirming", "filled"]
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1


async def test_no_confirmations_means_final_at_once(make_rig, chain, make_proposal) -> None:
    rig = await make_rig(profile=confirming_profile(0))
    order = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert order.state is OrderState.FILLED
    assert "confirming" not in await rig.history(order.id)


def test_live_profiles_wait_for_confirmations_and_devnet_may_not() -> None:
    assert load_profile("devnet").confirmations == 0
    for name in ("live-ethereum", "live-base", "live-arbitrum", "live-bsc", "live-polygon"):
        assert load_profile(name).confirmations > 0, name


async def test_a_chain_shortened_below_the_fill_is_a_reorg_too(make_rig, chain,
                                                               make_proposal) -> None:
    """``evm_revert`` to before the swap: the fill's block number is past the new head.
    That alone is a wait (a lagging node looks the same); once the chain grows past the
    fill's height with other blocks, the fill is reorged and lands again, once."""
    rig = await make_rig(profile=confirming_profile())
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    snapshot = chain.rpc("evm_snapshot", [])
    task = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
    confirming = await rig.wait_state("confirming", sub)
    receipt = chain.w3.eth.get_transaction_receipt(confirming.tx_hash)
    fill = SimpleNamespace(block_number=receipt["blockNumber"],
                           block_hash="0x" + bytes(receipt["blockHash"]).hex())
    assert chain.rpc("evm_revert", [snapshot]) is True
    assert chain.w3.eth.block_number < fill.block_number
    assert await rig.engine.finality._look(fill) is None  # shorter chain: no verdict yet
    order = await mine_until_done(chain, task)
    assert "reorged" in await rig.history(order.id)
    assert order.state is OrderState.FILLED, order.detail
    assert (await rig.history(order.id)).count("signed") == 1
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    assert token_balance(chain, chain.plain, rig.account.address) == order.amount_out


async def test_a_confirming_sell_does_not_block_the_next_exit(make_rig, chain,
                                                              make_proposal) -> None:
    """Red-team reproduction: a take-profit sell of half the position was ``confirming``
    (filled and booked, waiting for its blocks) when the stop-loss fired for the rest; the
    one-sell-per-position rule cancelled the stop-loss, and each cancellation counted as a
    failed exit (backoff, a wider slippage bound) for the whole confirmation window."""
    rig = await make_rig(profile=confirming_profile())
    buy = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "buy", 10**16)))
    bought = await mine_until_done(chain, buy)
    assert bought.state is OrderState.FILLED, bought.detail
    half = bought.amount_out // 2
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    first = asyncio.create_task(rig.engine.execute(make_proposal(chain.plain, "sell", half)))
    await rig.wait_state("confirming", sub)  # filled on chain, not yet buried
    rest = make_proposal(chain.plain, "sell", bought.amount_out - half)
    second = await mine_until_done(chain, asyncio.create_task(rig.engine.execute(rest)))
    assert second.state is OrderState.FILLED, second.detail
    assert (await mine_until_done(chain, first)).state is OrderState.FILLED
    assert token_balance(chain, chain.plain, rig.account.address) == 0
