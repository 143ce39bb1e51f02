"""Risk: eight named factors, scam never proposed, ML blocks, sizing, breaker."""

from __future__ import annotations

from decimal import Decimal

from claudedex.amm import get_amount_out, min_amount_out
from claudedex.clock import ManualClock
from claudedex.domain import RiskReport, Score, Side, Signal, Verdict
from claudedex.market.view import MarketView
from claudedex.risk import FACTORS, Breaker, RiskManager, RiskSettings
from claudedex.risk.sizing import capped_kelly, fixed_fraction, impact_cap, vol_target

E18 = 10**18


def _view(verdict: Verdict | None = Verdict.SAFE, scam: float | None = None) -> MarketView:
    clock = ManualClock(start=1000.0)
    view = MarketView(clock)
    view.register_pair("P", "T")
    view.update_reserves("P", 1_000_000 * E18, 100 * E18, 1, 1000.0)
    view.portfolio.equity_quote = view.portfolio.cash_quote = 10 * E18
    if verdict is not None:
        view.set_report(RiskReport("T", "P", verdict, ()))
    if scam is not None:
        view.set_score(Score("T", scam))
    return view


def _buy() -> Signal:
    return Signal("momentum", "T", "P", Side.BUY, "test")


def test_eight_named_factors_and_exact_min_out() -> None:
    view = _view()
    r = RiskManager(RiskSettings()).assess(_buy(), view, view.clock)
    assert r.proposal is not None
    names = [f.name for f in r.factors]
    assert len(FACTORS) == 8 and len(set(names)) == 8
    assert all(f.explanation for f in r.factors)
    p = r.proposal
    assert p.amount_in == 2 * E18 // 10  # 2% of 10 ETH
    want = get_amount_out(p.amount_in, 100 * E18, 1_000_000 * E18, 30)
    assert p.min_amount_out == min_amount_out(want, 300)
    assert p.verdict is Verdict.SAFE and len(p.id) == 32


def test_scam_verdict_never_proposed_and_ml_score_blocks() -> None:
    view = _view(Verdict.SCAM)
    assert RiskManager(RiskSettings()).assess(_buy(), view, view.clock).proposal is None
    view = _view(Verdict.SAFE, scam=0.95)
    r = RiskManager(RiskSettings()).assess(_buy(), view, view.clock)
    assert r.proposal is None and r.dropped.startswith("token_safety")


def test_sizing_rules() -> None:
    assert fixed_fraction(1000, Decimal("0.1")) == 100
    assert capped_kelly(1000, Decimal("0.6"), Decimal("2"), Decimal("0.05")) == 50
    assert capped_kelly(1000, Decimal("0.2"), Decimal("1"), Decimal("0.5")) == 0
    assert vol_target(1000, Decimal("0.1"), 0.01, 0.02) == 50
    a = impact_cap(100 * E18, 300, 30)
    assert a > 0


def test_breaker_trips_once_on_drawdown_and_daily_loss() -> None:
    b = Breaker(RiskSettings(max_drawdown_pct=Decimal(10), daily_loss_limit_quote=10 * E18))
    assert b.observe(100 * E18, 0.0) == ""
    assert "drawdown" in b.observe(89 * E18, 10.0)
    assert b.observe(80 * E18, 20.0) == ""
    b2 = Breaker(RiskSettings(max_drawdown_pct=Decimal(0), daily_loss_limit_quote=E18))
    b2.observe(100 * E18, 0.0)
    assert "daily loss" in b2.observe(99 * E18, 5.0)
