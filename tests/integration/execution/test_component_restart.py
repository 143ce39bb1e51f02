"""A journal that fails mid-order, and a component that crashes: no order is orphaned.

A journal write that fails (a locked database, a full disk) after a transaction was sent no
longer ends the component: the order is reported ``unknown`` and watched until the chain
decides. A crash for any other reason ends the component's task group; the supervisor then
calls ``run()`` again, and that second run reconciles the journal with the chain, or the
sent order would sit in ``broadcast`` forever (no fill, no position, no stop-loss).
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
    """The real journal, except that one write of ``state`` fails (a locked database by
    default, or any error given)."""

    def __init__(self, inner: Any, state: str, error: Exception | None = None) -> None:
        self.inner = inner
        self.state = state
        self.error = error or StorageError("database is locked")
        self.failed = False

    async def record(self, order_id: str, state: str, data: dict[str, Any]) -> None:
        if state == self.state and not self.failed:
            self.failed = True
            raise self.error
        await self.inner.record(order_id, state, data)

    async def record_many(self, entries: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        for entry in entries:  # one by one through record(): its fault applies to each
            await self.record(*entry)

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
    rig.engine.journal = FailOnce(rig.journal, "mined", RuntimeError("a bug"))
    fills = rig.bus.subscribe("test-fills", [OrderFilled.topic])
    proposal = make_proposal(chain.plain, "buy", 10**16)

    first = asyncio.create_task(rig.engine.run())
    await _subscribed(rig.bus, "execution")
    await rig.bus.publish(ProposalDecided(proposal_id=proposal.id, decision="approved",
                                          by="operator", proposal=proposal))
    with pytest.raises(ExceptionGroup) as crash:  # what the supervisor catches and restarts
        await first
    assert crash.group_contains(RuntimeError)
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


async def test_a_journal_failure_after_signing_says_unknown_and_is_watched(
        make_rig, chain, make_proposal) -> None:
    """Reproduction: after ``broadcast`` failed to journal, the command said error although
    the buy landed. Now the order is reported unknown, watched, and its fill published."""
    from claudedex.events import AlertRaised, OrderUpdated

    rig = await make_rig()
    rig.engine.journal = FailOnce(rig.journal, "broadcast")
    seen = rig.bus.subscribe("test", [OrderUpdated.topic, OrderFilled.topic, AlertRaised.topic])
    order = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    events = []
    while (ev := seen.get_nowait()) is not None:
        events.append(ev)
    states = [e.state for e in events if isinstance(e, OrderUpdated) and e.order_id == order.id]
    assert "unknown" in states and states[-1] == "filled"
    assert any(isinstance(e, OrderFilled) for e in events)
    assert any(isinstance(e, AlertRaised) and "JOURNAL WRITE FAILED" in e.message
               for e in events)
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1  # sent once


async def test_a_journal_failure_at_signed_sends_nothing_then_or_later(
        make_rig, chain, make_proposal) -> None:
    """Reproduction: a failed write after ``signed`` made the next, unrelated buy broadcast
    the old order as well as its own. The signature is discarded; the next order sends one
    transaction, its own."""
    rig = await make_rig()
    rig.engine.journal = FailOnce(rig.journal, "signed")
    first = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert str(first.state) == "failed" and "before anything was sent" in first.detail
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 0
    second = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert str(second.state) == "filled"
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
    recovered = await rig.engine.recover()  # a restart now re-sends nothing either
    assert recovered == [] and chain.w3.eth.get_transaction_count(rig.account.address) == 1
