"""Parity: the live components on the bus make the trades the backtest makes.

The recorded history is fed as events to StrategyRunner + PortfolioTracker on a real
EventBus; a stand-in executor fills each TradeProposed one block later with the same AMM
fill function the backtest's venue uses. Signals and sizes must match the backtest's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from claudedex.backtest.data import swap_events
from claudedex.backtest.replay import Backtest
from claudedex.backtest.sample import write_sample
from claudedex.backtest.venue import VenueConfig, fill
from claudedex.bus import EventBus
from claudedex.clock import ManualClock
from claudedex.domain import TradeProposal
from claudedex.events import OrderFilled, PriceTicked, TradeProposed
from claudedex.portfolio.tracker import PortfolioTracker
from claudedex.strategy.runner import StrategyRunner
from tests.unit.backtest.helpers import profile


async def _settle(bus: EventBus) -> None:
    quiet = 0
    while quiet < 3:
        await asyncio.sleep(0)
        busy = any(s["pending"] for name, s in bus.stats().items() if name != "test")
        quiet = 0 if busy else quiet + 1


def _key(p: TradeProposal) -> tuple[object, ...]:
    return (p.token, p.side.value, p.amount_in, p.min_amount_out, p.strategy, p.reason)


@pytest.mark.parametrize("strategy", ["momentum", "ai"])
async def test_live_components_match_backtest(tmp_path: Path, strategy: str) -> None:
    """ai: the history's recorded 'score' lines reach the live runner and the backtest alike."""
    history = write_sample(tmp_path / "h.jsonl", swaps=1200)
    # the per-trade cap binds, as in most live profiles
    prof = profile(strategy, fraction="0.5")
    events = list(swap_events(history))

    bt = Backtest(prof).run_events(iter(events))
    assert len(bt.proposals) >= (4 if strategy == "momentum" else 2)
    if strategy == "ai":
        assert bt.scores == 2 and {p.strategy for p in bt.proposals} >= {"ai"}

    bus = EventBus()
    clock = ManualClock()
    runner = StrategyRunner(bus, prof, clock)
    tracker = PortfolioTracker(bus, prof, clock)
    proposals = bus.subscribe("test", [TradeProposed.topic])
    venue = VenueConfig()
    live: list[TradeProposal] = []
    pending: list[tuple[int, TradeProposal]] = []
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(runner.run()), tg.create_task(tracker.run())]
        for ev in events:
            clock.advance_to(max(ev.ts, clock.now()), getattr(ev, "block_number", None))
            if isinstance(ev, PriceTicked):
                keep = []
                for due, p in pending:
                    if p.pair != ev.pair or ev.block_number < due:
                        keep.append((due, p))
                        continue
                    pool = runner.view.pools[ev.pair]
                    held = tracker.core.book.positions.get(p.token)
                    pool_now = type(pool)(
                        pool.pair,
                        pool.token,
                        ev.reserve_token,
                        ev.reserve_quote,
                        ev.block_number,
                        ev.ts,
                    )
                    f = fill(venue, p, pool_now, held.amount if held else 0, ev.ts, ev.block_number)
                    await bus.publish(
                        OrderFilled(
                            order_id=p.id,
                            token=p.token,
                            side=p.side.value,
                            amount_in=f.amount_in,
                            amount_out=f.amount_out,
                            gas_cost_wei=f.gas_cost_wei,
                            tx_hash="0x",
                            block_number=ev.block_number,
                            ts=ev.ts,
                        )
                    )
                    await _settle(bus)
                pending = keep
            await bus.publish(ev)
            await _settle(bus)
            while (got := proposals.get_nowait()) is not None:
                assert isinstance(got, TradeProposed)
                live.append(got.proposal)
                pending.append((clock.block() + venue.latency_blocks, got.proposal))
        for t in tasks:
            t.cancel()
    assert sorted(map(_key, live)) == sorted(map(_key, bt.proposals))
