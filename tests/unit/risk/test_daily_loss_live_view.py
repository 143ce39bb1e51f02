"""The strategy's live view learns the day's starting equity, so the daily-loss limit blocks.

In the engine the strategy's MarketView hears about our book only through EquityMarked
(and PositionChanged). It updated equity, cash and peak, never ``day_start_equity_quote``,
so ``daily_pnl`` was always 0 and the daily-loss factor never blocked a buy: after the
breaker's one halt was resumed, nothing stopped a bad day from getting worse.
"""

from __future__ import annotations

from decimal import Decimal

from claudedex.clock import ManualClock
from claudedex.domain import RiskReport, Side, Signal, Verdict
from claudedex.events import EquityMarked
from claudedex.market.ingest import ingest
from claudedex.market.view import MarketView
from claudedex.risk import RiskManager, RiskSettings

E18 = 10**18


def _view(clock: ManualClock) -> MarketView:
    view = MarketView(clock)
    view.register_pair("P", "T")
    view.update_reserves("P", 1_000_000 * E18, 100 * E18, 1, clock.now())
    view.set_report(RiskReport("T", "P", Verdict.SAFE, ()))
    return view


def _marked(view: MarketView, equity: int) -> None:
    ingest(view, EquityMarked(equity_quote=equity, realized_quote=0, unrealized_quote=0))


def test_daily_loss_from_equity_marks_blocks_buys_until_the_next_day() -> None:
    clock = ManualClock(start=86_400.0 * 100 + 60)
    view = _view(clock)
    settings = RiskSettings(daily_loss_limit_quote=2 * E18, max_drawdown_pct=Decimal(90))
    risk = RiskManager(settings)
    buy = Signal("momentum", "T", "P", Side.BUY, "test")
    _marked(view, 10 * E18)
    assert risk.assess(buy, view, clock).proposal is not None
    _marked(view, 7 * E18)  # lost 3 today, limit 2
    assert view.portfolio.day_start_equity_quote == 10 * E18
    blocked = risk.assess(buy, view, clock)
    assert blocked.proposal is None and blocked.dropped.startswith("daily_loss_drawdown")
    clock.advance_to(clock.now() + 86_400)  # a new day starts from the equity it opens with
    view.update_reserves("P", 1_000_000 * E18, 100 * E18, 2, clock.now())
    _marked(view, 7 * E18)
    assert view.portfolio.day_start_equity_quote == 7 * E18
    assert risk.assess(buy, view, clock).proposal is not None
