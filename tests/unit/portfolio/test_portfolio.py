"""Portfolio: average cost, exact P&L, marks with exit impact, exits, tracker on the bus."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from claudedex.amm import get_amount_out
from claudedex.bus import EventBus
from claudedex.clock import ManualClock
from claudedex.domain import PairInfo, Side
from claudedex.events import (
    EarlyWarningRaised,
    OrderFilled,
    PairDiscovered,
    PositionChanged,
    PriceTicked,
    TradeProposed,
)
from claudedex.market.view import MarketView
from claudedex.portfolio import Book, ExitRules, Position
from claudedex.portfolio.tracker import PortfolioTracker
from tests.unit.backtest.helpers import profile

E18 = 10**18


def test_average_cost_and_realized_pnl() -> None:
    b = Book(10 * E18)
    b.apply_fill("T", Side.BUY, E18, 100, 10, 0.0)
    b.apply_fill("T", Side.BUY, 3 * E18, 100, 10, 1.0)
    pos = b.positions["T"]
    assert pos.amount == 200 and pos.cost_quote == 4 * E18
    b.apply_fill("T", Side.SELL, 50, 2 * E18, 10, 2.0)
    assert pos.cost_quote == 3 * E18 and pos.amount == 150
    assert b.realized == 2 * E18 - E18 - 30
    assert b.cash == 10 * E18 - 4 * E18 + 2 * E18 - 30


def test_exit_rules() -> None:
    rules = ExitRules(
        Decimal(10), ((Decimal(20), Decimal("0.5")), (Decimal(50), Decimal(1))), Decimal(15), 3600.0
    )
    pos = Position("T", amount=1000, cost_quote=100, opened_ts=0.0)
    assert rules.check(pos, 89, 1.0)[0].startswith("stop_loss")  # type: ignore[index]
    hit = rules.check(pos, 125, 1.0)
    assert hit is not None and hit[0].startswith("take_profit") and hit[1] == 500
    pos.peak_mark = 200
    assert rules.check(pos, 160, 1.0)[0].startswith("trailing_stop")  # type: ignore[index]
    pos.peak_mark = 0
    assert rules.check(pos, 105, 4000.0)[0].startswith("time_exit")  # type: ignore[index]


def test_partial_take_profit_does_not_fire_the_trailing_stop() -> None:
    """A mark is the holding's value: after the first rung sells half, the peak is the
    remaining half's peak, so an unchanged price is 0 % off peak (it used to read as 50 %
    and sell the rest at once, so a second rung could never be reached with trailing on)."""
    rules = ExitRules(None, ((Decimal(20), Decimal("0.5")), (Decimal(50), Decimal(1))),
                      Decimal(15), None)
    book = Book(10 * E18)
    book.apply_fill("T", Side.BUY, 100, 1000, 0, 0.0)
    pos = book.positions["T"]
    pos.peak_mark = pos.last_mark = 125  # +25 %: the first rung fires
    hit = rules.check(pos, 125, 1.0)
    assert hit is not None and hit[0].startswith("take_profit") and hit[1] == 500
    book.apply_fill("T", Side.SELL, 500, 62, 0, 1.0)
    pos.ladder_done = 1  # as the tracker records the rung
    assert pos.amount == 500 and pos.peak_mark == 62 and pos.last_mark == 62
    assert rules.check(pos, 62, 2.0) is None  # same price: no trailing stop
    assert rules.check(pos, 50, 3.0)[0].startswith("trailing_stop")  # type: ignore[index]


async def test_tracker_marks_with_impact_and_exits_on_warning() -> None:
    bus = EventBus()
    clock = ManualClock(start=10.0)
    halts: list[str] = []

    async def halt(reason: str) -> None:
        halts.append(reason)

    tracker = PortfolioTracker(bus, profile(), clock, halt=halt)
    out = bus.subscribe("test", [PositionChanged.topic, TradeProposed.topic])
    task = asyncio.create_task(tracker.run())
    await bus.publish(PairDiscovered(pair=PairInfo(1, "v", "0xp", "0xt", "0xw", 1)))
    await bus.publish(
        PriceTicked(
            pair="0xp", reserve_token=1000 * E18, reserve_quote=10 * E18, block_number=1, ts=5.0
        )
    )
    await bus.publish(
        OrderFilled(
            order_id="o",
            token="0xT",  # checksummed by a face: the portfolio keys it lowercase
            side="buy",
            amount_in=E18 // 10,
            amount_out=9 * E18,
            gas_cost_wei=0,
            tx_hash="0x",
            block_number=2,
        )
    )
    await bus.publish(EarlyWarningRaised(token="0xt", kind="remove_liquidity", detail=""))
    for _ in range(20):
        await asyncio.sleep(0)
    task.cancel()
    events = []
    while (ev := out.get_nowait()) is not None:
        events.append(ev)
    pc = [e for e in events if isinstance(e, PositionChanged)]
    assert pc and pc[0].mark_quote == get_amount_out(9 * E18, 1000 * E18, 10 * E18, 30)
    props = [e.proposal for e in events if isinstance(e, TradeProposed)]
    assert props and props[0].side is Side.SELL and props[0].strategy == "exit"
    assert props[0].reason.startswith("anti_rug") and props[0].amount_in == 9 * E18
    assert halts == []


def test_failed_take_profit_gives_its_rung_back() -> None:
    from claudedex.portfolio.core import Portfolio
    from claudedex.risk.manager import settings_from_profile

    rules = ExitRules(None, ((Decimal(20), Decimal("0.5")), (Decimal(50), Decimal(1))), None,
                      None)
    core = Portfolio(settings_from_profile(profile()), rules, 10 * E18)
    core.book.apply_fill("T", Side.BUY, 100, 1000, 0, 0.0)
    pos = core.book.positions["T"]
    pos.last_mark = 125  # +25 %: the first rung fires
    first = core.exits(view=MarketView(ManualClock(start=0.0)), now=1.0)
    assert [s.reason.split(":")[0] for s in first] == ["take_profit"]
    assert pos.ladder_done == 1 and core.exits(
        view=MarketView(ManualClock(start=0.0)), now=2.0) == []
    core.exit_failed("T", first[0].reason)  # the sell reverted
    assert pos.ladder_done == 0
    again = core.exits(view=MarketView(ManualClock(start=0.0)), now=3.0)
    assert again and "step 1" in again[0].reason
