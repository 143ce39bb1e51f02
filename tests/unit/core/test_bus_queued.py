"""``EventBus.queued`` is the sum of every open mailbox's pending events, kept as they move.

The backtest's settle loop reads it once per loop turn instead of asking each subscriber;
it must match ``pending()`` under every policy, drops, coalescing and closing.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from claudedex.bus import EventBus, Policy, TopicSpec
from claudedex.events import AlertRaised, OrderUpdated, PriceTicked


def tick(pair: str, reserve: int) -> PriceTicked:
    return PriceTicked(pair=pair, reserve_token=reserve, reserve_quote=1, block_number=reserve)


def total(bus: EventBus) -> int:
    return sum(s["pending"] for s in bus.stats().values())


async def test_queued_follows_every_policy_and_close() -> None:
    bus = EventBus({"engine.alert": TopicSpec(Policy.BOUNDED, capacity=3),
                    "market.price": TopicSpec(Policy.COALESCE),
                    "trade.order": TopicSpec(Policy.NEVER_DROP, 8)})
    a = bus.subscribe("a")
    b = bus.subscribe("b", [PriceTicked.topic])
    for i in range(5):
        await bus.publish(tick("0xA", i))  # coalesced: one per pair and subscriber
        await bus.publish(AlertRaised(level="info", source="t", message=str(i)))  # 3 kept
    await bus.publish(OrderUpdated(order_id="o-1", state="sent"))
    assert bus.queued == total(bus) == 1 + 3 + 1 + 1
    assert a.get_nowait() is not None and b.get_nowait() is not None
    assert bus.queued == total(bus) == 4
    b.close()  # a closed mailbox is nobody's work any more
    await bus.publish(tick("0xB", 9))
    assert bus.queued == total(bus) == 5
    while a.get_nowait() is not None:
        pass
    assert bus.queued == total(bus) == 0
    a.close()
    a.close()  # twice: counted once
    assert bus.queued == 0


async def test_closing_with_events_left_takes_them_off_the_count() -> None:
    bus = EventBus()
    sub = bus.subscribe("slow", [PriceTicked.topic])
    await bus.publish(tick("0xA", 1))
    await bus.publish(tick("0xB", 2))
    assert bus.queued == 2
    sub.close()
    assert bus.queued == 0
    assert sub.get_nowait() is not None  # still drainable, and the count stays at zero
    assert bus.queued == 0


def test_subscribers_names_a_topics_readers_in_delivery_order() -> None:
    bus = EventBus()
    first = bus.subscribe("strategy", [PriceTicked.topic])
    bus.subscribe("alerts", [AlertRaised.topic])
    bus.subscribe("portfolio", [PriceTicked.topic, AlertRaised.topic])
    assert bus.subscribers(PriceTicked.topic) == ["strategy", "portfolio"]
    first.close()
    assert bus.subscribers(PriceTicked.topic) == ["portfolio"]



@given(st.lists(st.tuples(st.sampled_from(["price", "order", "alert"]), st.integers(0, 3),
                          st.booleans()), max_size=60))
@settings(max_examples=150, deadline=None)
def test_pending_counts_what_get_nowait_returns(steps: list[tuple[str, int, bool]]) -> None:
    """A subscription's pending() (kept as a count) is always the number of events
    get_nowait still returns, across coalesced, bounded (with drops) and never-drop topics,
    whatever the interleaving of offers and takes."""
    bus = EventBus({"engine.alert": TopicSpec(Policy.BOUNDED, capacity=3),
                    "market.price": TopicSpec(Policy.COALESCE),
                    "trade.order": TopicSpec(Policy.NEVER_DROP, 64)})
    sub = bus.subscribe("s")
    for kind, key, take in steps:
        event = (tick(f"0x{key}", key) if kind == "price"
                 else OrderUpdated(order_id=f"o-{key}", state="sent") if kind == "order"
                 else AlertRaised(level="info", source="t", message=str(key)))
        if kind == "order":  # never-drop: publish() awaits; the mailbox takes it the same
            sub._offer(event, bus.spec(event.topic))
        else:
            bus.publish_nowait(event)
        if take:
            sub.get_nowait()
        assert sub.pending() == bus.queued
    left, got = sub.pending(), 0
    while sub.get_nowait() is not None:
        got += 1
    assert got == left and sub.pending() == 0 and bus.queued == 0
