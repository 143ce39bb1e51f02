"""Emergency stop while orders are in flight: nothing new is signed after the halt."""

from __future__ import annotations

import asyncio
import time

import pytest

from claudedex.events import OrderUpdated, ProposalDecided
from claudedex.execution.txflow import FlowPolicy

pytestmark = pytest.mark.anvil


async def test_halt_mid_flight_signs_nothing_new(make_rig, chain, make_proposal) -> None:
    rig = await make_rig(policy=FlowPolicy(stuck_after_s=0.2))  # bumps would be new signatures
    inner = rig.engine.signer._inner
    signed_at: list[float] = []
    original = inner.sign_transaction

    async def spy(tx):  # the real key signs; we only note when
        signed_at.append(time.monotonic())
        return await original(tx)

    inner.sign_transaction = spy
    sub = rig.bus.subscribe("t", [OrderUpdated.topic])
    chain.rpc("evm_setAutomine", [False])
    runner = asyncio.create_task(rig.engine.run())
    try:
        await asyncio.sleep(0.2)
        proposals = [make_proposal(chain.plain, "buy", 10**16) for _ in range(5)]
        for p in proposals:
            await rig.bus.publish(ProposalDecided(proposal_id=p.id, decision="approved",
                                                  by="operator", proposal=p))
        await rig.wait_state("signed", sub)
        rig.halt.set(True, "test stop", "operator")
        halted_at = time.monotonic()
        await asyncio.sleep(1.0)  # in-flight orders hit the halt; stuck ones try to bump
        async with asyncio.timeout(60):
            while rig.engine.orders:  # noqa: ASYNC110 - polling the engine's own table
                # Mine until every order settles: on a loaded machine a transaction signed
                # before the halt may reach the pool only after the first block.
                chain.rpc("evm_mine", [])
                await asyncio.sleep(0.25)
    finally:
        chain.rpc("evm_setAutomine", [True])
        runner.cancel()
    assert signed_at and all(t < halted_at for t in signed_at)
    histories = [await rig.history(f"o-{p.id}") for p in proposals]
    finals = [h[-1] for h in histories]
    # A signature the halt caught before its broadcast is discarded (signed -> failed, never
    # sent); every other order signed before the halt is mined: filled, or failed when
    # several buys in one block moved the price past a later one's slippage bound.
    discarded = sum(1 for h in histories if "signed" in h and "broadcast" not in h)
    assert all(h[-1] == "failed" for h in histories if "signed" in h and "broadcast" not in h)
    mined = finals.count("filled") + finals.count("failed") - discarded
    assert finals.count("filled") >= 1 and mined + discarded == len(signed_at)
    assert set(finals) <= {"filled", "failed", "cancelled"}
    assert finals.count("cancelled") == 5 - mined - discarded
    nonce = chain.w3.eth.get_transaction_count(rig.account.address)
    assert nonce == mined  # one transaction per signed order, nothing after the halt
