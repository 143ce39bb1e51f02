"""The execution component crashes and the supervisor restarts it: no order is orphaned.

A journal write that fails (a locked database, a full disk) after a transaction was sent
ends the component's task group; the supervisor then calls ``run()`` again. That second run
must reconcile the journal with the chain, or the sent order would sit in ``broadcast``
forever: its fill never published, the position never opened, no stop-loss ever placed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from claudedex.errors import StorageError
from claudedex.events import OrderFilled, ProposalDecided

pytestmark = pytest.mark.anvil


class FailOnce:
    """The real journal, except that one write of ``state`` fails like a locked database."""

    def __init__(self, inner: Any, state: str) -> None:
        self.inner = inner
        self.state = state
        self.failed = False

    async def record(self, order_id: str, state: str, data: dict[str, Any]) -> None:
        if state == self.state and not self.failed:
            self.failed = True
            raise StorageError("database is locked")
        await self.inner.record(order_id, state, data)

    async def history(self, order_id: str) -> Sequence[Any]:
        return list(await self.inner.history(order_id))

    async def seen(self, order_id: str) -> bool:
        return bool(await self.inner.seen(order_id))

    async def open_orders(self) -> Sequence[Any]:
        return list(await self.inner.open_orders())


async def _subscribed(bus: Any, name: str) -> None:
    async with asyncio.timeout(30):
        while name not in bus.stats():  # noqa: ASYNC110 - polling the bus's own table
            await asyncio.sleep(0.01)


async def test_restarted_component_finishes_an_order_sent_before_the_crash(
        make_rig, chain, make_proposal) -> None:
    rig = await make_rig()
    rig.engine.journal = FailOnce(rig.journal, "mined")
    fills = rig.bus.subscribe("test-fills", [OrderFilled.topic])
    proposal = make_proposal(chain.plain, "buy", 10**16)

    first = asyncio.create_task(rig.engine.run())
    await _subscribed(rig.bus, "execution")
    await rig.bus.publish(ProposalDecided(proposal_id=proposal.id, decision="approved",
                                          by="operator", proposal=proposal))
    with pytest.raises(ExceptionGroup) as crash:  # what the supervisor catches and restarts
        await first
    assert crash.group_contains(StorageError)
    order_id = f"o-{proposal.id}"
    assert (await rig.history(order_id))[-1] == "broadcast"

    second = asyncio.create_task(rig.engine.run())  # the supervisor's restart
    try:
        async with asyncio.timeout(30):
            fill = await fills.get()
    finally:
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second
    assert isinstance(fill, OrderFilled) and fill.order_id == order_id
    assert fill.amount_out > 0
    assert (await rig.history(order_id))[-1] == "filled"
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
