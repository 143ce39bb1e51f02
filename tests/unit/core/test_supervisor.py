"""A crashing component is logged, published and restarted; its siblings keep running."""

from __future__ import annotations

import asyncio

from claudedex.bus import EventBus
from claudedex.events import ComponentFailed
from claudedex.supervisor import Supervisor


async def test_failed_child_is_restarted_and_reported() -> None:
    bus = EventBus()
    failures = bus.subscribe("watch", [ComponentFailed.topic])
    sup = Supervisor(bus, initial_backoff=0.001)
    attempts = 0
    sibling_ticks = 0
    done = asyncio.Event()

    async def flaky() -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise RuntimeError(f"boom {attempts}")
        done.set()
        await asyncio.Event().wait()

    async def sibling() -> None:
        nonlocal sibling_ticks
        while True:
            sibling_ticks += 1
            await asyncio.sleep(0)

    sup.add("flaky", flaky)
    sup.add("sibling", sibling)
    runner = asyncio.create_task(sup.run())
    await asyncio.wait_for(done.wait(), 5)
    runner.cancel()
    try:
        await runner
    except asyncio.CancelledError:
        pass
    assert attempts == 3
    assert sup.children["flaky"].restarts == 2
    assert "boom 2" in sup.children["flaky"].last_error
    assert sibling_ticks > 0
    reported = [failures.get_nowait(), failures.get_nowait()]
    assert [e.restarts for e in reported if isinstance(e, ComponentFailed)] == [1, 2]
