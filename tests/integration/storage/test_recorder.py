"""The storage recorder persists bus events and audits decisions and halts."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from claudedex.bus import EventBus
from claudedex.domain import PairInfo, RiskReport, Side, TradeProposal, Verdict
from claudedex.events import (
    EngineHaltChanged,
    OrderFilled,
    PairDiscovered,
    PositionChanged,
    ProposalDecided,
    RiskAssessed,
    TradeProposed,
)
from claudedex.security.audit import AuditLog
from claudedex.storage import Database
from claudedex.storage.recorder import StorageRecorder
from claudedex.storage.repo_market import MarketRepo
from claudedex.storage.repo_trading import TradingRepo
from claudedex.storage.state import EngineStateRepo

TOKEN = "0x" + "ab" * 20
PAIR = "0x" + "cd" * 20


async def test_recorder_persists_the_event_stream(db: Database) -> None:
    bus = EventBus()
    recorder = StorageRecorder(bus, db, AuditLog(db))
    task = asyncio.create_task(recorder.run())
    await asyncio.sleep(0)  # let it subscribe
    proposal = TradeProposal(id="p-1", token=TOKEN, pair=PAIR, venue="v2", side=Side.BUY,
                             amount_in=2**256 - 1, min_amount_out=1, quote_value=Decimal("0.1"),
                             slippage_bps=100, verdict=Verdict.SAFE)
    events = [
        PairDiscovered(pair=PairInfo(chain_id=1, venue="v2", pair=PAIR, token=TOKEN,
                                     quote="0x" + "ee" * 20, block_number=5)),
        RiskAssessed(report=RiskReport(token=TOKEN, pair=PAIR, verdict=Verdict.SAFE,
                                       findings=())),
        TradeProposed(proposal=proposal),
        ProposalDecided(proposal_id="p-1", decision="approved", by="operator"),
        OrderFilled(order_id="o-1", token=TOKEN, side="buy", amount_in=10, amount_out=2**200,
                    gas_cost_wei=5, tx_hash="0x" + "9" * 64, block_number=6),
        PositionChanged(token=TOKEN, symbol="T", amount=2**200, cost_quote=10, mark_quote=11,
                        realized_quote=0),
        EngineHaltChanged(halted=True, reason="test stop", by="operator"),
    ]
    for ev in events:
        await bus.publish(ev)
    while recorder.written + recorder.failed < len(events):  # noqa: ASYNC110 - no done signal
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert recorder.failed == 0
    assert await MarketRepo(db).get_pair(1, PAIR) is not None
    assert (await MarketRepo(db).latest_risk_report(TOKEN)) is not None
    got = await TradingRepo(db).get_proposal("p-1")
    assert got is not None and got[1] == "approved"
    assert (await TradingRepo(db).list_fills())[0].amount_out == 2**200
    assert (await TradingRepo(db).list_positions())[0].amount == 2**200
    halt = await EngineStateRepo(db).load_halt()
    assert halt is not None and halt.halted and halt.reason == "test stop"
    audit = AuditLog(db)
    assert [e.action for e in await audit.entries()] == ["proposal.approved", "halt"]
    assert await audit.verify() == (True, None)


async def test_a_restart_keeps_the_trailing_stops_peak(db: Database) -> None:
    """Red team: after a restart the trailing stop measured from the first price seen
    again, so a position that had risen and fallen back could fall its whole trailing
    distance once more before the stop fired. The recorder keeps each open position's
    peak; restore puts it back."""
    from claudedex.bus import EventBus as Bus
    from claudedex.clock import ManualClock
    from claudedex.config import load_profile
    from claudedex.portfolio.tracker import PortfolioTracker
    from claudedex.restore import restore_portfolio
    from claudedex.storage.state import PEAKS_KEY

    bus = EventBus()
    recorder = StorageRecorder(bus, db, AuditLog(db))
    task = asyncio.create_task(recorder.run())
    await asyncio.sleep(0)
    fills = OrderFilled(order_id="o-1", token=TOKEN, side="buy", amount_in=10**17,
                        amount_out=10**21, gas_cost_wei=0, tx_hash="0x1", block_number=6)
    marks = [PositionChanged(token=TOKEN, symbol="T", amount=10**21, cost_quote=10**17,
                             mark_quote=m, realized_quote=0, peak_quote=p)
             for m, p in ((12 * 10**16, 12 * 10**16), (15 * 10**16, 15 * 10**16),
                          (13 * 10**16, 15 * 10**16))]
    for n, ev in enumerate((fills, *marks), 1):  # one at a time: marks coalesce
        await bus.publish(ev)
        while recorder.written + recorder.failed < n:  # noqa: ASYNC110 - no done signal
            await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await EngineStateRepo(db).get(PEAKS_KEY) == {TOKEN: str(15 * 10**16)}

    tracker = PortfolioTracker(Bus(), load_profile("devnet"), ManualClock(2e9))
    await restore_portfolio(db, tracker, [tracker.view])
    assert tracker.core.book.positions[TOKEN].peak_mark == 15 * 10**16  # before: 0

    closed = PositionChanged(token=TOKEN, symbol="T", amount=0, cost_quote=0, mark_quote=0,
                             realized_quote=0)
    bus2 = EventBus()
    again = StorageRecorder(bus2, db, AuditLog(db))
    task = asyncio.create_task(again.run())
    await asyncio.sleep(0)
    await bus2.publish(closed)
    while again.written + again.failed < 1:  # noqa: ASYNC110 - no done signal
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await EngineStateRepo(db).get(PEAKS_KEY) == {}  # a closed position keeps none
