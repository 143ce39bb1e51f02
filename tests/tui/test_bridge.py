"""The event pump: batches, coalesces ticks per pair, and ends when the subscription does."""

from __future__ import annotations

import asyncio

from textual.message import Message

from claudedex.bus import EventBus
from claudedex.events import AlertRaised, BlockSeen, PriceTicked
from tui.bridge import pump
from tui.messages import EngineEvents, PriceTicks


def tick(pair: str, quote: int) -> PriceTicked:
    return PriceTicked(pair=pair, reserve_token=10**18, reserve_quote=quote, block_number=1)


async def test_pump_batches_and_keeps_latest_tick_per_pair() -> None:
    bus = EventBus()
    sub = bus.subscribe("tui")
    posted: list[Message] = []
    for quote in range(1, 101):
        bus.publish_nowait(tick("0xAA", quote))
        bus.publish_nowait(tick("0xBB", quote * 2))
    await bus.publish(AlertRaised(level="info", message="hello"))
    bus.publish_nowait(BlockSeen(chain_id=1, number=7))
    task = asyncio.create_task(pump(sub, posted.append, tick_interval=0))
    for _ in range(20):
        await asyncio.sleep(0)
    sub.close()
    await asyncio.wait_for(task, 1)
    batches = [m for m in posted if isinstance(m, EngineEvents)]
    ticks = [m for m in posted if isinstance(m, PriceTicks)]
    assert len(batches) == 1 and len(ticks) == 1
    assert [type(e).__name__ for e in batches[0].events] == ["AlertRaised", "BlockSeen"]
    assert {p: t.reserve_quote for p, t in ticks[0].ticks.items()} == {"0xaa": 100,
                                                                        "0xbb": 200}


def test_pending_tick_batches_fold_into_the_newer_one() -> None:
    older = PriceTicks({"0xaa": tick("0xaa", 1), "0xbb": tick("0xbb", 1)})
    newer = PriceTicks({"0xaa": tick("0xaa", 2)})
    assert older.can_replace(newer)
    assert {p: t.reserve_quote for p, t in newer.ticks.items()} == {"0xaa": 2, "0xbb": 1}
    assert not older.can_replace(EngineEvents(()))
