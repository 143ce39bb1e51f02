"""Fixtures for the console tests: a real engine without components (``wire=False``) whose
bus receives a recorded session, exactly as live components would publish it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from claudedex.clock import ManualClock
from claudedex.config import load_profile
from claudedex.engine import Engine
from claudedex.events import Event
from tui.app import ClaudeDexApp
from tui.sample_events import NOW, session

Replay = Callable[[Pilot[None], Iterable[Event]], Awaitable[None]]


@pytest.fixture(autouse=True)
def _utc_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clock times on screen (log, chart axes) in one zone, whatever the machine's."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return Engine(load_profile("devnet"), data_dir=tmp_path / "data", clock=ManualClock(NOW),
                  wire=False)


def make_app(engine: Engine, **kwargs: object) -> ClaudeDexApp:
    """No tick delay and no age timer: every recorded event reaches the screen, in order."""
    return ClaudeDexApp(engine, start_engine=True, tick_interval=0.0, age_refresh_s=0,
                        **kwargs)  # type: ignore[arg-type]


async def replay(pilot: Pilot[None], events: Iterable[Event]) -> None:
    """Publish one event at a time and let the pump deliver it before the next (coalescing
    topics such as equity marks would otherwise keep only the newest)."""
    app = pilot.app
    assert isinstance(app, ClaudeDexApp)
    for event in events:
        before = app.state.events_seen
        await app.engine.bus.publish(event)
        for _ in range(200):
            if app.state.events_seen > before:
                break
            await asyncio.sleep(0)
    await pilot.pause()
    await pilot.pause()


@pytest.fixture
def recorded() -> list[Event]:
    return session()
