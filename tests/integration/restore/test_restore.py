"""After a restart the portfolio comes back from stored fills (on real SQLite), and a
freshly started devnet chain never inherits a dead chain's state."""

from __future__ import annotations

from pathlib import Path

from claudedex.bus import EventBus
from claudedex.clock import ManualClock
from claudedex.config import load_profile
from claudedex.domain import PairInfo, RiskReport, Verdict
from claudedex.events import OrderFilled
from claudedex.portfolio.tracker import PortfolioTracker
from claudedex.restore import archive_previous_chain, restore_portfolio
from claudedex.storage.database import Database
from claudedex.storage.repo_market import MarketRepo
from claudedex.storage.repo_trading import TradingRepo

TOKEN = "0x" + "ab" * 20
PAIR = "0x" + "cd" * 20


async def test_positions_pairs_and_reports_come_back(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'claudedex.db'}")
    await db.open()
    try:
        await MarketRepo(db).save_pair(PairInfo(chain_id=31337, venue="uniswap", pair=PAIR,
                                                token=TOKEN, quote="0x" + "ee" * 20,
                                                block_number=5, symbol="TKN"))
        await MarketRepo(db).save_risk_report(RiskReport(
            token=TOKEN, pair=PAIR, verdict=Verdict.SAFE, findings=(), buy_tax_bps=300,
            sell_tax_bps=300, block_number=6))
        trading = TradingRepo(db)
        await trading.save_fill(OrderFilled(order_id="o1", token=TOKEN, side="buy",
                                            amount_in=10**17, amount_out=5 * 10**20,
                                            gas_cost_wei=10**14, tx_hash="0x1", block_number=7))
        await trading.save_fill(OrderFilled(order_id="o2", token=TOKEN, side="sell",
                                            amount_in=2 * 10**20, amount_out=5 * 10**16,
                                            gas_cost_wei=10**14, tx_hash="0x2", block_number=9))
        tracker = PortfolioTracker(EventBus(), load_profile("devnet"), ManualClock(1000.0))
        reports = await restore_portfolio(db, tracker, [tracker.view])
    finally:
        await db.close()
    pos = tracker.core.book.positions[TOKEN]
    assert pos.amount == 3 * 10**20
    assert tracker.view.token_pair[TOKEN] == PAIR
    assert [(r.token, r.sell_tax_bps) for r in reports] == [(TOKEN, 300)]


def test_new_devnet_chain_moves_old_state_aside(tmp_path: Path) -> None:
    for name in ("claudedex.db", "history.jsonl", "spend.json", "labels.jsonl"):
        (tmp_path / name).write_text(name)
    target = archive_previous_chain(tmp_path)
    assert target is not None and target.parent.name == "previous-runs"
    assert sorted(p.name for p in target.iterdir()) == ["claudedex.db", "history.jsonl",
                                                        "spend.json"]
    assert (tmp_path / "labels.jsonl").exists()  # the new devnet's own file stays
    assert not (tmp_path / "claudedex.db").exists()
    assert archive_previous_chain(tmp_path) is None


async def test_a_restored_fill_a_reorg_removes_is_taken_back_exactly(tmp_path: Path) -> None:
    """Red-team reproduction: a restart while a sell was still ``confirming``; the reorg
    that then removed it was rolled back from the sell's own numbers at the position's
    *current* average cost (a buy at another price had filled since), so the cost basis
    came back 0.24 ETH instead of 0.2. Restored fills keep their order ids."""
    from claudedex.domain import Side

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'claudedex.db'}")
    await db.open()
    fills = [("o1", "buy", 10**17, 5 * 10**20), ("o2", "sell", 2 * 10**20, 5 * 10**16),
             ("o3", "buy", 10**17, 10**20)]
    try:
        for n, (oid, side, a_in, a_out) in enumerate(fills):
            await TradingRepo(db).save_fill(OrderFilled(
                order_id=oid, token=TOKEN, side=side, amount_in=a_in, amount_out=a_out,
                gas_cost_wei=0, tx_hash=f"0x{n}", block_number=7 + n))
        tracker = PortfolioTracker(EventBus(), load_profile("devnet"), ManualClock(1000.0))
        await restore_portfolio(db, tracker, [tracker.view])
    finally:
        await db.close()
    pos = tracker.core.revert_fill("o2", TOKEN, Side.SELL, 2 * 10**20, 5 * 10**16, 0)
    assert (pos.amount, pos.cost_quote) == (6 * 10**20, 2 * 10**17)  # as if o2 never was
    assert tracker.core.book.realized == 0


async def test_a_restart_keeps_the_positions_age_and_its_take_profit_steps(
        tmp_path: Path) -> None:
    """Red team: after a plain restart, with no price move, the ladder's step 1 sold again
    (30 % of what was left) and the time exit's clock started over. A restored position is
    as old as its buy, and a take-profit step its exits sold is not taken twice."""
    from decimal import Decimal

    from claudedex.domain import Side, TradeProposal
    from claudedex.portfolio.core import EXIT_STRATEGY

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'claudedex.db'}")
    await db.open()
    try:
        trading = TradingRepo(db)
        await trading.save_fill(OrderFilled(order_id="o-b1", token=TOKEN, side="buy",
                                            amount_in=10**17, amount_out=10**21,
                                            gas_cost_wei=0, tx_hash="0x1", block_number=7))
        await trading.save_proposal(TradeProposal(
            id="x1", token=TOKEN, pair=PAIR, venue="uniswap", side=Side.SELL,
            amount_in=3 * 10**20, min_amount_out=1, quote_value=Decimal("0.04"),
            slippage_bps=300, verdict=Verdict.SAFE, strategy=EXIT_STRATEGY,
            reason="take_profit: +12.00% (step 1 at 10%)"), status="approved")
        await trading.save_fill(OrderFilled(order_id="o-x1", token=TOKEN, side="sell",
                                            amount_in=3 * 10**20, amount_out=4 * 10**16,
                                            gas_cost_wei=0, tx_hash="0x2", block_number=9))
        bought_at = (await trading.list_fills("o-b1"))[0].ts
        profile = load_profile("devnet")
        profile = profile.model_copy(update={"strategy": profile.strategy.model_copy(
            update={"params": {**profile.strategy.params,
                               "take_profit": [[10, 0.3], [60, 1]]}})})
        tracker = PortfolioTracker(EventBus(), profile, ManualClock(bought_at + 5.0))
        await restore_portfolio(db, tracker, [tracker.view])
    finally:
        await db.close()
    pos = tracker.core.book.positions[TOKEN]
    assert pos.amount == 7 * 10**20 and pos.opened_ts == bought_at  # before: the restart's
    assert pos.ladder_done == 1  # before: 0, so step 1 (+10 %) sold again at once
    rules = tracker.core.rules
    at_step_one = pos.cost_quote * 115 // 100  # +15 %: past step 1, short of step 2
    assert rules.check(pos, at_step_one, bought_at + 5.0) is None
