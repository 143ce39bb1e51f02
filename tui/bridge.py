"""The one long-lived worker that turns engine events into Textual messages.

Why batch: the bus can deliver hundreds of events a second; posting one message per event
would make the UI spend its frames on message overhead. The pump drains whatever is ready,
posts non-tick events as one batch and the latest tick per pair as another, then (after a
tick batch) waits a beat so further ticks coalesce in the bus subscription.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.message import Message

from claudedex.bus import Subscription
from claudedex.events import Event, PriceTicked
from tui.messages import EngineEvents, PriceTicks

MAX_BATCH = 512
TICK_INTERVAL_S = 0.05


async def pump(sub: Subscription, post: Callable[[Message], object],
               tick_interval: float = TICK_INTERVAL_S) -> None:
    """Forward events from ``sub`` to ``post`` until the subscription closes."""
    while True:
        try:
            first = await sub.get()
        except StopAsyncIteration:
            return
        batch: list[Event] = [first]
        while len(batch) < MAX_BATCH:
            nxt = sub.get_nowait()
            if nxt is None:
                break
            batch.append(nxt)
        ticks: dict[str, PriceTicked] = {}
        others: list[Event] = []
        for event in batch:
            if isinstance(event, PriceTicked):
                ticks[event.pair.lower()] = event
            else:
                others.append(event)
        if others:
            post(EngineEvents(tuple(others)))
        if ticks:
            post(PriceTicks(ticks))
            await asyncio.sleep(tick_interval)
