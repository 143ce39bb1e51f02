"""A caller's decimal context changes no risk figure and leaves no remembered result behind.

The factors remember results (``lru_cache``); a result worked out in a caller's own context
(a strategy, a notebook with ``decimal.localcontext``) would otherwise be served to every
later proposal. Here a 25 % exposure limit is just crossed (25.000000025 %): at 6 digits the
share rounds to 25.0000 and the buy would pass.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from claudedex.clock import ManualClock
from claudedex.domain import Side, Signal
from claudedex.market.view import MarketView
from claudedex.risk import RiskManager, RiskSettings
from claudedex.risk import factors as F
from claudedex.risk.context import RiskContext

E18 = 10**18


def _ctx(quote_value: int, equity: int) -> RiskContext:
    return RiskContext(side=Side.BUY, token="t", pair="p", amount_in=quote_value,
                       quote_value=quote_value, reserve_in=10**24, reserve_out=10**24,
                       equity=equity, token_exposure=0, deployer_exposure=0, open_positions=0,
                       report=None, score=None, volatility=0.0, breadth=0.5, daily_pnl=0,
                       drawdown_pct=Decimal(0), gas_price_wei=0,
                       settings=RiskSettings(max_token_exposure_pct=Decimal(25)))


def test_a_coarse_context_first_neither_changes_nor_poisons_the_verdict() -> None:
    ctx = _ctx(10**9 + 1, 4 * 10**9)
    with decimal.localcontext() as coarse:
        coarse.prec = 6
        coarse.rounding = decimal.ROUND_DOWN
        first = F.assess(ctx)
        F.concentration(ctx)  # a factor called on its own: its remembered share too
    later = F.assess(ctx)
    assert first == later
    concentration = later[F.FACTORS.index(F.concentration)]
    assert concentration.blocking and "token 25.0%" in concentration.explanation
    assert F._pct(10**9 + 1, 4 * 10**9) == Decimal(10**9 + 1) * 100 / Decimal(4 * 10**9)


def test_the_manager_judges_the_same_in_any_caller_context() -> None:
    clock = ManualClock(start=1000.0)
    view = MarketView(clock)
    view.register_pair("P", "T")
    view.update_reserves("P", 1_000_000 * E18, 100 * E18, 1, 1000.0)
    view.portfolio.equity_quote = view.portfolio.cash_quote = 3 * E18
    risk = RiskManager(RiskSettings(), new_id=lambda: "id")
    signal = Signal("momentum", "T", "P", Side.BUY, "test", amount_in=E18 // 7)
    with decimal.localcontext() as coarse:
        coarse.prec = 3
        coarse.rounding = decimal.ROUND_CEILING
        judged = risk.assess(signal, view, clock)
    assert judged == risk.assess(signal, view, clock)
    assert judged.proposal is not None
    assert judged.proposal.quote_value == Decimal(E18 // 7) / E18  # 28 digits, not 3
