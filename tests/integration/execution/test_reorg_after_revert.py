"""A reverted swap is final only under the profile's confirmations, like a fill.

Reproduction: a buy reverted in its first block (the pool moved past its min-out in that
block); the engine called it failed at once. A one-block reorg then removed that block with
the pool back where it was, and the same signed transaction, mined again, succeeded: the
wallet held tokens the portfolio never knew (no position, no stop-loss). Now the revert is
``confirming_revert`` until buried; a reorg makes it ``reorged`` and watched again, and its
success is an ordinary fill, booked once, from one signature and one nonce.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from claudedex.events import AlertRaised, OrderFilled, OrderUpdated
from claudedex.execution.states import OrderState
from claudedex.portfolio.tracker import PortfolioTracker

from .test_reorg_after_fill import confirming_profile, mine_until_done, token_balance

pytestmark = pytest.mark.anvil
WHALE_BUY = 10**18  # 1 ETH into the pool: far past a 1 % min-out on a 0.01 ETH buy


@contextmanager
def manual_mining(chain: Any) -> Iterator[None]:
    """Blocks only on ``evm_mine``, so two transactions can share one block."""
    chain.rpc("evm_setAutomine", [False])
    try:
        yield
    finally:
        chain.rpc("evm_setAutomine", [True])


def whale_buy(chain: Any, router: str, token: str, whale: LocalAccount) -> str:
    """Pool a big buy of ``token`` on ``router`` with a tip that orders it first."""
    from claudedex.devnet.uniswap import router_contract

    [venue] = [v for v in chain.deployment.venues.values() if v.router.lower() == router.lower()]
    w3 = chain.w3
    tx = router_contract(w3, venue).functions.swapExactETHForTokens(
        0, [chain.deployment.weth, token], whale.address, 2**40,
    ).build_transaction({"from": whale.address, "value": WHALE_BUY, "gas": 300_000,
                         "nonce": w3.eth.get_transaction_count(whale.address, "pending"),
                         "maxFeePerGas": 500 * 10**9, "maxPriorityFeePerGas": 400 * 10**9})
    signed = whale.sign_transaction(tx)
    return "0x" + bytes(w3.eth.send_raw_transaction(signed.raw_transaction)).hex()


async def reverted_in_its_first_block(rig: Any, chain: Any, pid: str) -> tuple[str, str]:
    """Wait for the order's broadcast, pool the whale ahead of it, mine both in one block;
    returns (our hash, the whale's hash) after checking ours reverted."""
    sub = rig.bus.subscribe(f"b-{pid}", [OrderUpdated.topic])
    sent = await rig.wait_state("broadcast", sub)
    sub.close()
    await chain.wait_pooled(sent.tx_hash)
    order = rig.engine.orders[f"o-{pid}"]
    whale = whale_buy(chain, order.router, chain.plain, next(chain.accounts))
    await chain.wait_pooled(whale)
    chain.rpc("evm_mine", [])
    ours = chain.w3.eth.get_transaction_receipt(sent.tx_hash)
    theirs = chain.w3.eth.get_transaction_receipt(whale)
    assert ours["blockNumber"] == theirs["blockNumber"]
    assert ours["status"] == 0 and theirs["status"] == 1
    return sent.tx_hash, whale


async def test_a_reverted_swap_whose_block_is_reorged_lands_as_one_fill(
        make_rig, chain, make_proposal) -> None:
    rig = await make_rig(profile=confirming_profile())
    tracker = PortfolioTracker(rig.bus, rig.engine.profile, rig.engine.clock)
    sub = rig.bus.subscribe("t", [OrderUpdated.topic, OrderFilled.topic, AlertRaised.topic])
    seen: list[Any] = []

    async def until(state: str) -> None:
        async with asyncio.timeout(60):
            async for ev in sub:
                seen.append(ev)
                if isinstance(ev, OrderFilled):
                    await tracker.handle(ev)
                if getattr(ev, "state", None) == state:
                    return

    proposal = make_proposal(chain.plain, "buy", 10**16)
    with manual_mining(chain):
        task = asyncio.create_task(rig.engine.execute(proposal))
        ours, whale = await reverted_in_its_first_block(rig, chain, proposal.id)
        await until("confirming_revert")  # not failed: its block is not buried yet
        assert not task.done()
        assert token_balance(chain, chain.plain, rig.account.address) == 0

        chain.rpc("anvil_reorg", [1, []])  # the block with the whale and our revert is gone
        chain.rpc("anvil_dropTransaction", [whale])  # whatever the node did with it
        await until("reorged")
        order = await mine_until_done(chain, task)
    await until("filled")  # the last thing the engine published for it

    assert order.state is OrderState.FILLED, order.detail
    states = await rig.history(order.id)
    assert states.count("signed") == 1  # the same signed bytes, never re-signed
    assert states.index("reverted") < states.index("confirming_revert") < states.index(
        "reorged") < states.index("mined")
    assert "failed" not in states and states[-2:] == ["confirming", "filled"]
    assert order.mined_hash == ours
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1  # one nonce
    balance = token_balance(chain, chain.plain, rig.account.address)
    assert balance == order.amount_out > 0
    fills = [e for e in seen if isinstance(e, OrderFilled)]
    assert [f.amount_out for f in fills] == [balance]  # booked once
    assert tracker.core.book.positions[chain.plain.lower()].amount == balance
    alerts = [e.message for e in seen if isinstance(e, AlertRaised)]
    assert any("REORG" in m and "reverted transaction landed" in m for m in alerts), alerts


async def test_a_buried_revert_fails_without_a_fill(make_rig, chain, make_proposal) -> None:
    rig = await make_rig(profile=confirming_profile())
    sub = rig.bus.subscribe("t", [OrderFilled.topic])
    proposal = make_proposal(chain.plain, "buy", 10**16)
    with manual_mining(chain):
        task = asyncio.create_task(rig.engine.execute(proposal))
        await reverted_in_its_first_block(rig, chain, proposal.id)
        order = await mine_until_done(chain, task)
    assert order.state is OrderState.FAILED, order.detail
    assert (await rig.history(order.id))[-3:] == ["reverted", "confirming_revert", "failed"]
    assert "blocks on top" in order.detail
    assert chain.w3.eth.block_number - order.block_number >= 2
    assert sub.pending() == 0  # no fill was ever published


async def test_a_sell_whose_revert_is_confirming_blocks_a_second_sell(make_rig, chain,
                                                                      make_proposal) -> None:
    """One sell per position: a reverted exit may still land after a reorg, so until its
    revert is buried a second sell of the token is not sent (it could sell twice)."""
    from claudedex.domain import Side
    from claudedex.execution.order import Order

    rig = await make_rig(profile=confirming_profile())
    reverted = Order(id="o-exit", proposal_id="exit", side=Side.SELL, token=chain.plain,
                     amount_in=10**18, state=OrderState.CONFIRMING_REVERT)
    rig.engine.orders[reverted.id] = reverted
    second = await rig.engine.execute(make_proposal(chain.plain, "sell", 10**18))
    assert second.state is OrderState.CANCELLED
    assert "o-exit" in second.detail
