"""EventBus.pump: a driver handles parked readers' mailboxes in its own task.

Each event is handled exactly once, by the pump, in the order the readers would: mailbox
by mailbox in subscription order, again while any holds more; the parked reader is not
woken; a handler's exception names its mailbox; a pumped mailbox keeps never-drop events
past their capacity (its reader is the pump); ``unpump`` hands the mailboxes back.
"""

from __future__ import annotations

import asyncio

import pytest

from claudedex.bus import EventBus, HandlerFailed, Policy, TopicSpec
from claudedex.events import Event, OrderUpdated


def update(n: int) -> OrderUpdated:
    return OrderUpdated(order_id=f"o-{n}", state="intent")


def new_log() -> list[tuple[str, str, str]]:
    return []


class Reader:
    """A component: its run loop takes events from its mailbox and handles them."""

    def __init__(self, bus: EventBus, name: str, log: list[tuple[str, str, str]],
                 forward: str = "") -> None:
        self.bus, self.name, self.log, self.forward = bus, name, log, forward
        self.sub = bus.subscribe(name, [OrderUpdated.topic], handler=self.handle)
        self.task_handled = 0
        self.states: list[tuple[str, str, str]] = []

    async def handle(self, ev: Event) -> None:
        assert isinstance(ev, OrderUpdated)
        task = asyncio.current_task()
        self.log.append((self.name, ev.order_id, task.get_name() if task else ""))
        self.states.append((self.name, ev.order_id, ev.state))
        if self.forward and ev.state == "intent":  # a reply, as a component publishes one
            await self.bus.publish(OrderUpdated(order_id=ev.order_id, state=self.forward))

    async def run(self) -> None:
        async for ev in self.sub:
            self.task_handled += 1
            await self.handle(ev)


async def parked(bus: EventBus, *readers: Reader) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(r.run(), name=f"task-{r.name}") for r in readers]
    for _ in range(3):
        await asyncio.sleep(0)  # each reaches its mailbox and waits there
    return tasks


async def test_pumped_events_are_handled_once_in_the_drivers_task_in_order() -> None:
    bus, log = EventBus(), new_log()
    a, b = Reader(bus, "a", log, forward="signed"), Reader(bus, "b", log)
    tasks = await parked(bus, a, b)
    assert bus.pump_mailboxes(["a", "b"]) == ["a", "b"]
    asyncio.current_task().set_name("driver")  # type: ignore[union-attr]
    for n in range(3):
        await bus.publish(update(n))
    for _ in range(3):
        await asyncio.sleep(0)  # a woken reader would run now
    assert log == []  # parked: nothing handled until the driver pumps
    assert await bus.pump() == 12  # 3 each, and a's 3 replies to each
    assert [(name, oid) for name, oid, _ in log] == [
        ("a", "o-0"), ("a", "o-1"), ("a", "o-2"),  # a's mailbox, drained: its three ...
        ("a", "o-0"), ("a", "o-1"), ("a", "o-2"),  # ... and its replies, arrived meanwhile
        ("b", "o-0"), ("b", "o-1"), ("b", "o-2"),  # then b's, in arrival order
        ("b", "o-0"), ("b", "o-1"), ("b", "o-2")]
    for reader in (a, b):
        assert [state for _, _, state in reader.states] == ["intent"] * 3 + ["signed"] * 3
    assert {task for _, _, task in log} == {"driver"}
    assert a.task_handled == b.task_handled == 0 and bus.queued == 0
    for sub in (a.sub, b.sub):
        sub.close()
    await asyncio.gather(*tasks)


async def test_a_reader_not_parked_or_without_a_handler_is_not_pumped() -> None:
    bus, log = EventBus(), new_log()
    a = Reader(bus, "a", log)
    plain = bus.subscribe("plain", [OrderUpdated.topic])  # no handler
    assert bus.pump_mailboxes(["a", "plain"]) == []  # a's reader is not waiting yet
    tasks = await parked(bus, a)
    assert bus.pump_mailboxes(["a", "plain"]) == ["a"] and a.sub.pumped and not plain.pumped
    sent = update(1)
    await bus.publish(sent)
    await bus.pump()
    assert plain.get_nowait() is sent and log[0][1] == "o-1"  # the plain one's still
    a.sub.close()
    await asyncio.gather(*tasks)


async def test_a_handler_that_raises_names_its_mailbox() -> None:
    bus = EventBus()

    async def broken(ev: Event) -> None:
        raise KeyError("boom")

    sub = bus.subscribe("risk", [OrderUpdated.topic], handler=broken)

    async def run() -> None:
        async for _ in sub:
            pass

    task = asyncio.create_task(run())
    await asyncio.sleep(0)
    bus.pump_mailboxes(["risk"])
    await bus.publish(update(1))
    with pytest.raises(HandlerFailed) as caught:
        await bus.pump()
    assert caught.value.subscriber == "risk" and isinstance(caught.value.__cause__, KeyError)
    sub.close()
    await task


async def test_a_pumped_mailbox_keeps_never_drop_events_past_capacity() -> None:
    """Its reader is the pump: a publisher waiting for room would wait for the pump's own
    task (a hang, red team: 129 proposals in one step). It keeps them all, in order."""
    bus, log = EventBus({"trade.order": TopicSpec(Policy.NEVER_DROP, capacity=2)}), new_log()
    a = Reader(bus, "a", log)
    tasks = await parked(bus, a)
    bus.pump_mailboxes(["a"])
    for n in range(5):
        await asyncio.wait_for(bus.publish(update(n)), 5)  # would wait for ever when full
    assert await bus.pump() == 5 and [oid for _, oid, _ in log] == [f"o-{n}" for n in range(5)]
    bus.unpump()  # the reader's again: the topic's capacity holds again
    assert not a.sub.unbounded
    a.sub.close()
    await asyncio.gather(*tasks)


async def test_unpump_hands_waiting_events_back_to_the_reader() -> None:
    bus, log = EventBus(), new_log()
    a = Reader(bus, "a", log)
    tasks = await parked(bus, a)
    bus.pump_mailboxes(["a"])
    await bus.publish(update(1))
    bus.unpump()
    for _ in range(3):
        await asyncio.sleep(0)
    assert a.task_handled == 1 and log[0][2] == "task-a" and not a.sub.pumped
    a.sub.close()
    await asyncio.gather(*tasks)
