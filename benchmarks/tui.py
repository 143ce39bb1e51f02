"""Console benchmark: 10,000 pairs in the feed, 50 events/s, keypress → engine command
latency and frame time under Pilot. Prints one JSON object (goal: p99 < 50 ms).

Run: .venv/bin/python benchmarks/tui.py [--pairs 10000] [--rate 50] [--seconds 10]

What is measured:
- key_to_command_ms: from ``pilot.press`` to the engine command being called (reject with
  ``r``, emergency stop with ``ctrl+x``), via wrappers around the real engine methods;
- frame_ms: the compositor refresh (layout + render of the changed regions) per frame;
- update_ms: the app's handling of one batch of engine events (state + panes);
- load_s: time to stream the 10,000 pairs (discovered + assessed) into the feed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claudedex.config import load_profile  # noqa: E402
from claudedex.domain import Side, Verdict  # noqa: E402
from claudedex.engine import Engine  # noqa: E402
from claudedex.events import AlertRaised, Event, PriceTicked, TradeProposed  # noqa: E402
from tui.app import PANES, ClaudeDexApp  # noqa: E402
from tui.sample_events import addr, proposal, synthetic_pair  # noqa: E402
from tui.widgets.approvals import ApprovalsPane  # noqa: E402
from tui.widgets.feed import PairFeed  # noqa: E402


def stats(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    return {"n": len(samples), "p50": round(statistics.median(ordered), 3),
            "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
            "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
            "max": round(ordered[-1], 3)}


def timed(fn: Callable[..., Any], sink: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            sink.append((time.perf_counter() - start) * 1000)
    return wrapper


UPDATES: list[float] = []


class TimedApp(ClaudeDexApp):
    """The console with its two event handlers timed (Textual dispatches by class)."""

    def on_engine_events(self, message: Any) -> None:
        timed(super().on_engine_events, UPDATES)(message)

    def on_price_ticks(self, message: Any) -> None:
        timed(super().on_price_ticks, UPDATES)(message)


async def run(pairs: int, rate: float, seconds: float,
              panes: tuple[str, ...] = PANES) -> dict[str, Any]:
    engine = Engine(load_profile("devnet"), data_dir=Path(tempfile.mkdtemp()), wire=False)
    app = TimedApp(engine, start_engine=True, panes=panes)
    frames: list[float] = []
    updates = UPDATES
    calls: dict[str, float] = {}

    for name in ("reject", "halt"):
        original = getattr(engine, name)

        def make(orig: Callable[..., Any], key: str) -> Callable[..., Any]:
            async def wrapped(*args: Any, **kwargs: Any) -> Any:
                calls[key] = time.perf_counter()
                return await orig(*args, **kwargs)
            return wrapped

        setattr(engine, name, make(original, name))

    async with app.run_test(size=(180, 50)) as pilot:
        screen = app.screen
        screen._compositor_refresh = timed(screen._compositor_refresh, frames)  # type: ignore[method-assign]

        # 1. Stream the pairs in (the bounded discovery topic is fed in chunks, as live).
        start = time.perf_counter()
        for n in range(pairs):
            for event in synthetic_pair(n, time.time()):
                await engine.bus.publish(event)
            if n % 200 == 199:
                await pilot.pause()
        while len(app.state.pairs) < pairs:
            await pilot.pause()
        feed = app.query_one(PairFeed)
        while feed.row_count < pairs:
            await pilot.pause()
        load_s = time.perf_counter() - start
        frames.clear()
        updates.clear()

        # 2. 50 events/s in the background while keys are pressed.
        rng = random.Random(7)
        stop = asyncio.Event()

        async def produce() -> None:
            n = pairs
            interval = 1.0 / rate
            while not stop.is_set():
                roll = rng.random()
                event: Event
                if roll < 0.7:
                    k = 10_000 + rng.randrange(pairs)
                    event = PriceTicked(pair=addr(k, "b"), reserve_token=10**24,
                                        reserve_quote=rng.randrange(1, 50) * 10**18,
                                        block_number=n)
                    await engine.bus.publish(event)
                elif roll < 0.9:
                    for ev in synthetic_pair(n, time.time()):
                        await engine.bus.publish(ev)
                    n += 1
                else:
                    await engine.bus.publish(AlertRaised(level="info", message=f"tick {n}"))
                await asyncio.sleep(interval)

        producer = asyncio.create_task(produce())
        key_ms: dict[str, list[float]] = {"r (reject)": [], "ctrl+x (stop)": []}
        approvals = app.query_one(ApprovalsPane)
        approvals.focus()  # decision keys act on the focused pane only
        deadline = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            prop = proposal(100 + i, Side.BUY, Verdict.SAFE, f"B{i}", "0.01")
            prop = dataclasses.replace(prop, id=f"bench-{i}")
            await engine.bus.publish(TradeProposed(proposal=prop))
            while approvals.row_count == 0 or not engine.pending_proposals():
                await pilot.pause()
            calls.clear()
            t0 = time.perf_counter()
            await pilot.press("r")
            if "reject" in calls:
                key_ms["r (reject)"].append((calls["reject"] - t0) * 1000)
            if i % 5 == 0:
                calls.clear()
                t0 = time.perf_counter()
                await pilot.press("ctrl+x")
                if "halt" in calls:
                    key_ms["ctrl+x (stop)"].append((calls["halt"] - t0) * 1000)
                await engine.resume(confirm=True)
            await asyncio.sleep(0.2)
        stop.set()
        await producer
        feed_rows = feed.row_count

    return {
        "benchmark": "tui", "panes": list(panes), "pairs_in_feed": feed_rows, "events_per_s": rate,
        "seconds": seconds, "load_s": round(load_s, 2),
        "key_to_command_ms": {k: stats(v) for k, v in key_ms.items()},
        "frame_ms": stats(frames), "update_ms": stats(updates), "goal_ms": 50,
        "bus_dropped": sum(s["dropped"] for s in engine.bus.stats().values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--panes", default=",".join(PANES), help="comma-separated subset")
    args = parser.parse_args()
    import structlog

    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())  # quiet engine logs
    print(json.dumps(asyncio.run(run(args.pairs, args.rate, args.seconds,
                                    tuple(args.panes.split(","))))))


if __name__ == "__main__":
    main()
