"""The bus keeps its per-topic promises: coalesce, bounded with drop counts, never-drop."""

from __future__ import annotations

import asyncio

import pytest

from claudedex.bus import EventBus, Policy, TopicSpec
from claudedex.events import AlertRaised, OrderUpdated, PriceTicked


def tick(pair: str, reserve: int) -> PriceTicked:
    return PriceTicked(pair=pair, reserve_token=reserve, reserve_quote=1, block_number=reserve)


async def test_coalesce_keeps_only_latest_per_key() -> None:
    bus = EventBus()
    sub = bus.subscribe("ui", [PriceTicked.topic])
    for i in range(100):
        await bus.publish(tick("0xA", i))
        await bus.publish(tick("0xB", 1000 + i))
    got = [sub.get_nowait() for _ in range(3)]
    assert got[2] is None
    assert {(e.pair, e.reserve_token) for e in got if isinstance(e, PriceTicked)} == {
        ("0xA", 99), ("0xB", 1099)}


async def test_bounded_drops_oldest_and_counts() -> None:
    bus = EventBus({"engine.alert": TopicSpec(Policy.BOUNDED, capacity=5)})
    sub = bus.subscribe("log", [AlertRaised.topic])
    for i in range(12):
        bus.publish_nowait(AlertRaised(level="info", message=str(i)))
    assert sub.dropped == 7
    messages = []
    while (ev := sub.get_nowait()) is not None:
        assert isinstance(ev, AlertRaised)
        messages.append(ev.message)
    assert messages == ["7", "8", "9", "10", "11"]


async def test_never_drop_back_pressures_publisher_and_loses_nothing() -> None:
    bus = EventBus({"trade.order": TopicSpec(Policy.NEVER_DROP, capacity=3)})
    sub = bus.subscribe("exec", [OrderUpdated.topic])

    async def produce() -> None:
        for i in range(10):
            await bus.publish(OrderUpdated(order_id=str(i), state="signed"))

    producer = asyncio.create_task(produce())
    await asyncio.sleep(0.01)
    assert not producer.done(), "publisher must wait while the mailbox is full"
    assert sub.pending() == 3
    seen = []
    async for ev in sub:
        assert isinstance(ev, OrderUpdated)
        seen.append(ev.order_id)
        if len(seen) == 10:
            break
    await producer
    assert seen == [str(i) for i in range(10)]


async def test_slow_subscriber_does_not_delay_others_on_loose_topics() -> None:
    bus = EventBus()
    slow = bus.subscribe("slow", [PriceTicked.topic, AlertRaised.topic])
    fast = bus.subscribe("fast", [AlertRaised.topic])
    for i in range(10_000):
        await asyncio.wait_for(bus.publish(AlertRaised(level="info", message=str(i))), 1)
        await asyncio.wait_for(bus.publish(tick("0xA", i)), 1)
    assert fast.pending() == 4096  # bounded fallback capacity, nothing waited
    assert slow.dropped == 10_000 - 4096
    assert slow.pending() == 4096 + 1  # alerts kept plus one coalesced tick


def test_publish_nowait_refuses_never_drop_topics() -> None:
    bus = EventBus()
    with pytest.raises(ValueError, match="never_drop"):
        bus.publish_nowait(OrderUpdated(order_id="1", state="x"))


async def test_arrival_order_kept_across_policies() -> None:
    bus = EventBus()
    sub = bus.subscribe("all")
    await bus.publish(OrderUpdated(order_id="1", state="a"))
    await bus.publish(tick("0xA", 1))
    await bus.publish(AlertRaised(level="info", message="m"))
    await bus.publish(OrderUpdated(order_id="2", state="b"))
    kinds = [type(sub.get_nowait()).__name__ for _ in range(4)]
    assert kinds == ["OrderUpdated", "PriceTicked", "AlertRaised", "OrderUpdated"]


async def test_closed_subscription_ends_iteration_after_draining() -> None:
    bus = EventBus()
    sub = bus.subscribe("x", [AlertRaised.topic])
    await bus.publish(AlertRaised(level="info", message="last"))
    sub.close()
    await bus.publish(AlertRaised(level="info", message="after close"))
    got = [ev async for ev in sub]
    assert [e.message for e in got if isinstance(e, AlertRaised)] == ["last"]
