"""The same decision delivered twice at once executes once (no double buy)."""

from __future__ import annotations

import asyncio

import pytest

from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil


async def test_concurrent_duplicate_decisions_sign_one_transaction(make_rig, chain,
                                                                   make_proposal) -> None:
    rig = await make_rig()
    proposal = make_proposal(chain.plain, "buy", 10**16)
    first, second = await asyncio.gather(rig.engine.execute(proposal),
                                         rig.engine.execute(proposal))
    assert OrderState.FILLED in (first.state, second.state)
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    states = await rig.history(f"o-{proposal.id}")
    assert states.count("signed") == 1 and states.count("intent") == 1
