"""A failed exit is retried with backoff and a wider bound, shown on the position, and no
new buy of the token is proposed until it lands."""

from __future__ import annotations

from decimal import Decimal

from claudedex.clock import ManualClock
from claudedex.config import load_profile
from claudedex.domain import RiskReport, Side, Signal, Verdict
from claudedex.events import PositionChanged
from claudedex.market.ingest import ingest
from claudedex.market.view import MarketView
from claudedex.portfolio.core import Portfolio
from claudedex.portfolio.exits import ExitRules
from claudedex.portfolio.retries import MAX_BACKOFF_S, ExitRetries
from claudedex.risk.manager import RiskManager, settings_from_profile

E18 = 10**18


def test_backoff_doubles_and_the_bound_widens_to_the_cap() -> None:
    r = ExitRetries()
    assert r.slippage_bps("t", 300, 1500) == 300 and not r.waiting("t", 0.0)
    r.failed("t", "reverted", now=100.0)
    assert r.waiting("t", 100.5) and not r.waiting("t", 101.0)
    assert r.slippage_bps("t", 300, 1500) == 600
    r.failed("t", "reverted", now=101.0)
    r.failed("t", "reverted", now=103.0)
    assert r.slippage_bps("t", 300, 1500) == 1500  # 2400 capped
    assert r.waiting("t", 106.9) and r.due(107.0) == ["t"]
    assert r.status("t").startswith("exit failed x3")
    r.cleared("t")
    assert r.status("t") == "" and r.due(1e9) == []


def test_a_failed_stop_fires_again_only_after_its_backoff() -> None:
    rules = ExitRules(Decimal(10), (), None, None)
    core = Portfolio(settings_from_profile(load_profile("devnet")), rules, 10 * E18)
    core.book.apply_fill("t", Side.BUY, E18, 1000, 0, 0.0)
    pos = core.book.positions["t"]
    pos.last_mark = E18 // 2  # -50 %: the stop fires
    view = MarketView(ManualClock(start=0.0))
    first = core.exits(view, now=1.0)
    assert [s.reason.split(":")[0] for s in first] == ["stop_loss"]
    core.exit_failed("t", first[0].reason, now=1.0, why="reverted")
    assert core.exits(view, now=1.5) == []  # backing off
    assert len(core.exits(view, now=2.0)) == 1  # retried
    core.on_fill("t", Side.SELL, 1000, E18 // 2, 0, 3.0)
    assert core.retries.status("t") == ""


def test_no_buy_of_a_token_whose_exit_is_failing() -> None:
    profile = load_profile("devnet")
    clock = ManualClock(start=1_000_000.0)
    view = MarketView(clock)
    view.register_pair("p", "t")
    view.update_reserves("p", 1_000_000 * E18, 100 * E18, 1, clock.now())
    view.set_report(RiskReport("t", "p", Verdict.SAFE, ()))
    view.portfolio.equity_quote = view.portfolio.cash_quote = 5 * E18
    risk = RiskManager(settings_from_profile(profile))
    buy = Signal("momentum", "t", "p", Side.BUY, "test")
    assert risk.assess(buy, view, clock).proposal is not None
    ingest(view, PositionChanged(token="t", symbol="", amount=5, cost_quote=1, mark_quote=1,
                                 realized_quote=0, exit_status="exit failed x1: reverted"))
    refused = risk.assess(buy, view, clock)
    assert refused.proposal is None and "exit of this token pending" in refused.dropped
    ingest(view, PositionChanged(token="t", symbol="", amount=0, cost_quote=0, mark_quote=0,
                                 realized_quote=0))
    assert risk.assess(buy, view, clock).proposal is not None


def test_thousands_of_failures_keep_the_capped_backoff() -> None:
    """A halted engine's exit fails on every check: past about 1,025 failures the doubling
    overflowed a float and the portfolio component crashed (found replaying 200k candles)."""
    r = ExitRetries()
    for i in range(3000):
        n = r.failed("0xtok", "engine halted", float(i))
    assert n == 3000
    assert r.retry_at["0xtok"] == 2999.0 + MAX_BACKOFF_S
    assert r.slippage_bps("0xtok", 100, 2000) == 2000
