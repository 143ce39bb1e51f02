"""A buy is sized on the token's deepest pool, whatever pair the signal named.

The field case: the WETH pool is dust (0.01 ETH) and the USDC pool is deep; discovery
publishes the USDC pool's depth in native units, so the view's deepest pool is the USDC
one and the planner routes through it. Sizing on the dust pool would cap the buy at
0.01 ETH * 270 / 9730 = 0.00028 ETH.
"""

from __future__ import annotations

from claudedex.amm import get_amount_out, min_amount_out
from claudedex.clock import ManualClock
from claudedex.domain import RiskReport, Side, Signal, Verdict
from claudedex.market.view import MarketView
from claudedex.risk import RiskManager, RiskSettings
from claudedex.risk.sizing import impact_cap

E18 = 10**18


def _view(deep_quote: int) -> MarketView:
    view = MarketView(ManualClock(start=1000.0))
    view.register_pair("THIN", "T")
    view.update_reserves("THIN", 100 * E18, E18 // 100, 1, 1000.0)
    view.register_pair("USDC_POOL", "T")  # reserve_quote: its USDC valued in wei
    view.update_reserves("USDC_POOL", 1_000_000 * E18, deep_quote, 1, 1000.0)
    view.portfolio.equity_quote = view.portfolio.cash_quote = 10 * E18
    view.set_report(RiskReport("T", "THIN", Verdict.SAFE, ()))
    return view


def test_a_buy_signal_on_the_dust_pool_is_sized_on_the_deep_pool() -> None:
    view = _view(100 * E18)
    r = RiskManager(RiskSettings()).assess(Signal("momentum", "T", "THIN", Side.BUY, "x"),
                                          view, view.clock)
    assert r.proposal is not None, r.dropped
    p = r.proposal
    assert p.pair == "USDC_POOL" and r.signal.pair == "USDC_POOL"
    assert p.amount_in == 2 * E18 // 10 and r.size_by == "fixed sizing"  # 2 % of equity
    assert impact_cap(E18 // 100, 300, 30) < 3 * 10**14  # what the dust pool would allow
    want = get_amount_out(p.amount_in, 100 * E18, 1_000_000 * E18, 30)
    assert p.min_amount_out == min_amount_out(want, 300)  # exact ints, on the deep pool


def test_the_signal_pool_is_kept_when_it_is_the_deepest() -> None:
    view = _view(E18 // 1000)  # the "USDC" pool is the thinner one here
    r = RiskManager(RiskSettings()).assess(Signal("momentum", "T", "THIN", Side.BUY, "x"),
                                          view, view.clock)
    assert r.proposal is not None and r.proposal.pair == "THIN"
    assert r.size_by == "price impact" and r.proposal.amount_in == impact_cap(E18 // 100,
                                                                              300, 30)
