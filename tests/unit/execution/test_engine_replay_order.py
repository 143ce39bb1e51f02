"""One order through the execution engine on the replay's venue: what is journaled and
published, in order, and a plan's failure is never left unretrieved.

The engine is the live one (states, journal, events); only the venue and the clock are a
replay's (:mod:`claudedex.backtest.simvenue`), whose planner reads are memory, so each
step's outcome is ready when the order reaches it.
"""

from __future__ import annotations

import asyncio
import gc
from decimal import Decimal
from typing import Any

from claudedex.backtest.journal import MemoryJournal
from claudedex.backtest.simvenue import SimConfig, SimulatedVenue
from claudedex.bus import EventBus
from claudedex.clock import ManualClock
from claudedex.domain import PairInfo, Side, TradeProposal, Verdict
from claudedex.events import OrderFilled, OrderUpdated, PairDiscovered, PriceTicked
from claudedex.execution.engine import ExecutionEngine
from claudedex.execution.order import Order
from tests.unit.backtest.helpers import profile

WETH = "0x" + "ee" * 20
TOKEN = "0x" + "ab" * 20
PAIR = "0x" + "cd" * 20


class Signer:
    address = "0x" + "12" * 20


def proposal(token: str = TOKEN) -> TradeProposal:
    return TradeProposal(id="p1", token=token, pair=PAIR, venue="uniswap", side=Side.BUY,
                         amount_in=10**17, min_amount_out=1, quote_value=Decimal("0.1"),
                         slippage_bps=100, verdict=Verdict.SAFE, strategy="sma_cross")


def engine(halted: bool = False) -> tuple[ExecutionEngine, MemoryJournal, list[Any]]:
    clock = ManualClock(1_700_000_000.0, 10)
    venue = SimulatedVenue(clock, SimConfig(fee_bps=30, gas_price_wei=0))
    venue.observe(PairDiscovered(pair=PairInfo(31337, "uniswap", PAIR, TOKEN, WETH, 10)))
    venue.observe(PriceTicked(pair=PAIR, reserve_token=10**24, reserve_quote=10**24,
                              block_number=10))
    bus, journal = EventBus(), MemoryJournal()
    seen: list[Any] = []

    async def publish(event: Any) -> None:
        seen.append(event)

    bus.publish = publish  # type: ignore[method-assign]
    eng = ExecutionEngine(bus, profile("sma_cross"), venue.chain, Signer(), journal,
                          lambda: halted, clock, [], WETH, venue=venue)
    eng.planner.reserves = venue
    return eng, journal, seen


async def test_a_fill_journals_and_publishes_every_state_in_order() -> None:
    eng, journal, seen = engine()
    order = await eng.execute(proposal())
    states = ["intent", "risk_approved", "operator_approved", "journaled", "filled"]
    assert [e.state for e in journal.entries] == states
    assert [e.state for e in seen if isinstance(e, OrderUpdated)] == states
    assert isinstance(seen[-1], OrderFilled) and seen[-1].amount_out == order.amount_out > 0
    details = [e.data["detail"] for e in journal.entries[:3]]
    assert details == ["", "verdict safe", "sma_cross"]
    # each entry is the order's full snapshot at that state, as recovery reads it
    for entry in journal.entries[:3]:
        assert Order.from_snapshot(entry.data).state == entry.state
        assert entry.data["data"] == order.data and entry.data["deadline"] == order.deadline
    assert journal.entries[0].ts == journal.entries[2].ts  # one group commit
    assert eng.orders == {} and eng.unfinished() == 0


async def test_a_failed_plan_is_retrieved_even_when_a_halt_stops_the_order_first() -> None:
    errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: errors.append(ctx))
    eng, journal, _ = engine(halted=True)
    order = await eng.execute(proposal(token="0x" + "99" * 20))  # no pool: the plan fails
    assert order.state == "cancelled" and "halted" in order.detail
    eng, journal, _ = engine()
    order = await eng.execute(proposal(token="0x" + "99" * 20))
    assert order.state == "failed" and order.detail.startswith("NoRoute")
    del eng, order
    gc.collect()
    assert errors == []  # no "Future exception was never retrieved"
