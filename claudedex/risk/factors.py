"""The eight named risk factors: each a pure function returning a score and one line.

Scores run 0 (no concern) to 1 (maximal concern). ``blocking`` marks a hard limit: the
risk manager drops the trade instead of proposing it. Exits (sells) are never blocked,
because refusing to leave a position is itself the larger risk.

Why the helpers look unusual: the factors run on every proposal (a backtest replays
thousands). :func:`_score` answers from a table of the 101 possible scores; the price
impact, percentages and printed settings are remembered (``lru_cache``); and the factors
that depend on a few small values (token safety without an ML score, liquidity impact,
market regime, execution cost) remember their whole result, an immutable RiskFactor that
proposals may share. All of it gives exactly what the plain formulas give
(``tests/unit/risk/test_factor_equivalence.py`` checks against those formulas).

Why one decimal context (:data:`RISK_DECIMALS`, Python's default: 28 digits, half-even):
:func:`assess` and every remembered helper work in it whatever context their caller runs
in. A strategy or notebook that changes its own context can then neither change a verdict
nor leave a remembered result that another call would be served.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import lru_cache, wraps
from typing import ParamSpec, TypeVar, cast

from claudedex.amm import price_impact_bps
from claudedex.domain import RiskFactor, Side, Verdict
from claudedex.risk.context import RiskContext

P = ParamSpec("P")
R = TypeVar("R")
# Python's default context, spelled out (Context() alone would copy decimal.DefaultContext,
# which any code may change)
RISK_DECIMALS = Context(prec=28, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999,
                        capitals=1, clamp=0, flags=[],
                        traps=[InvalidOperation, DivisionByZero, Overflow])
TWO = Decimal("0.01")
_ZERO = Decimal(0)
_WEI = Decimal(10**18)
_BUY = Side.BUY  # bound once: an enum member lookup costs more than the identity test
_SAFETY_BASE = {Verdict.SAFE: 0.1, Verdict.RISKY: 0.6, Verdict.UNKNOWN: 0.5, Verdict.SCAM: 1.0}
# every score _score can return: n/100 for n = 0..100, exponent -2 (as quantize(TWO) gives)
with localcontext(RISK_DECIMALS):
    _SCORES: tuple[Decimal, ...] = tuple((Decimal(n) / 100).quantize(TWO) for n in range(101))


def _remembered(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``lru_cache`` (exact types in the key) of a helper whose body runs in
    :data:`RISK_DECIMALS`: what it remembers does not depend on its first caller's context."""
    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @wraps(fn)
        def fixed(*args: P.args, **kwargs: P.kwargs) -> R:
            with localcontext(RISK_DECIMALS):
                return fn(*args, **kwargs)

        # the cache keeps the helper's own signature (lru_cache's wrapper types it as *args)
        return cast(Callable[P, R], lru_cache(maxsize=maxsize, typed=True)(fixed))
    return wrap


def _score_exact(x: float | Decimal) -> Decimal:
    """The plain formula: ``x`` (a float via its shortest repr) clamped to 0..1, rounded
    half-even to 2 places."""
    v = Decimal(str(x)) if isinstance(x, float) else x
    return min(Decimal(1), max(Decimal(0), v)).quantize(TWO)


def _score(x: float | Decimal) -> Decimal:
    """Same result as :func:`_score_exact` for every input, without its string round trip.

    A float strictly inside 0..1 whose hundredfold is not within 1e-6 of a half rounds the
    same way as its shortest repr would (the two differ by under 1e-13 there), so its score
    is the table entry of ``round(x * 100)``; halves, NaN and the rest take the plain formula.
    """
    if isinstance(x, float):
        if 0.0 < x < 1.0:
            y = x * 100.0
            n = round(y)
            if abs(abs(y - n) - 0.5) > 1e-6:
                return _SCORES[n]
        elif x <= 0.0:
            return _SCORES[0]
        elif x >= 1.0:
            return _SCORES[100]
        return _score_exact(x)
    if x <= 0:
        return _SCORES[0]
    if x >= 1:
        return _SCORES[100]
    return x.quantize(TWO)


@lru_cache(maxsize=16, typed=True)
def impact_bps(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int) -> int:
    """:func:`claudedex.amm.price_impact_bps` (bps), remembered: a proposal asks for the
    same trade's impact three times (two factors and the proposal itself)."""
    return price_impact_bps(amount_in, reserve_in, reserve_out, fee_bps)


@_remembered(maxsize=32)
def _quote_text(wei: int) -> str:
    """``wei`` in whole quote units as the factors print it (``Decimal(wei) / 10**18``);
    remembered, since it is a setting's value and the same on every call."""
    return str(Decimal(wei) / 10**18)


def _buy(ctx: RiskContext) -> bool:
    return ctx.side is _BUY


@_remembered(maxsize=16)
def _pct(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole`` (100 when there is no whole); remembered, since
    a buy's size and its token exposure are often the same share of the same equity."""
    return Decimal(part) * 100 / Decimal(whole) if whole > 0 else Decimal(100)


def token_safety(ctx: RiskContext) -> RiskFactor:
    report, score = ctx.report, ctx.score
    # remembered without an ML score only: a probability is a float whose -0.0 would share
    # 0.0's key but print differently (and few calls repeat one)
    safety = _plain_safety if score is None else _safety
    return safety(report.verdict if report else Verdict.UNKNOWN,
                  report.sell_tax_bps if report is not None else None,
                  score.scam_probability if score is not None else None,
                  ctx.settings.max_scam_probability, report is None, ctx.side is _BUY,
                  ctx.settings.require_report)


def _safety(verdict: Verdict, sell_tax_bps: int | None, scam_probability: float | None,
            max_scam_probability: float, no_report: bool, buy: bool,
            require_report: bool) -> RiskFactor:
    """token_safety from the handful of values it reads."""
    score = _SAFETY_BASE[verdict]
    why = f"verdict {verdict.value}"
    ml_block = False
    if scam_probability is not None:
        score = max(score, scam_probability)
        why += f", ml scam probability {scam_probability:.2f}"
        ml_block = scam_probability >= max_scam_probability
    if sell_tax_bps:
        why += f", sell tax {sell_tax_bps} bps"
        score = max(score, min(1.0, sell_tax_bps / 2000))
    blocking = buy and (verdict is Verdict.SCAM or ml_block or (require_report and no_report))
    return RiskFactor("token_safety", _score(score), why, blocking)


_plain_safety = _remembered(maxsize=256)(_safety)


def liquidity_impact(ctx: RiskContext) -> RiskFactor:
    if ctx.reserve_in <= 0 or ctx.reserve_out <= 0 or ctx.amount_in <= 0:
        return RiskFactor("liquidity_impact", Decimal(1), "no liquidity known", _buy(ctx))
    impact = impact_bps(ctx.amount_in, ctx.reserve_in, ctx.reserve_out, ctx.settings.fee_bps)
    return _liquidity(impact, ctx.settings.max_slippage_bps, ctx.side is _BUY)


@_remembered(maxsize=1024)
def _liquidity(impact: int, limit: int, buy: bool) -> RiskFactor:
    """liquidity_impact from the impact (bps) and the limit (bps): remembered."""
    why = f"price impact {impact} bps (fee incl.) vs max slippage {limit} bps"
    return RiskFactor("liquidity_impact", _score(impact / limit), why, buy and impact > limit)


def position_size(ctx: RiskContext) -> RiskFactor:
    pct = _pct(ctx.quote_value, ctx.equity)
    cap = ctx.settings.max_trade_quote
    why = f"{pct:.2f}% of equity, cap {_quote_text(cap)} quote per trade"
    over = ctx.side is _BUY and ctx.quote_value > cap
    return RiskFactor("position_size", _score(pct / 10), why, over)


def concentration(ctx: RiskContext) -> RiskFactor:
    buy = ctx.side is _BUY
    extra = ctx.quote_value if buy else -ctx.quote_value
    tok = _pct(max(0, ctx.token_exposure + extra), ctx.equity)
    # the same exposure gives the same percentage: compute it once
    dep = (tok if ctx.deployer_exposure == ctx.token_exposure
           else _pct(max(0, ctx.deployer_exposure + extra), ctx.equity))
    settings = ctx.settings
    limit = settings.max_token_exposure_pct
    why = f"token {tok:.1f}%, deployer {dep:.1f}% of equity (limit {limit}%)"
    full = buy and ctx.open_positions >= settings.max_open_positions
    if full and ctx.token_exposure == 0:
        # pending buys count too: say so, or "5 open" contradicts a console showing 1
        why += (f"; {ctx.open_positions} positions open or pending "
                f"(max {settings.max_open_positions})")
    blocking = buy and (tok > limit or dep > limit or (full and ctx.token_exposure == 0))
    return RiskFactor("concentration", _score(max(tok, dep) / limit), why, blocking)


def volatility(ctx: RiskContext) -> RiskFactor:
    v = ctx.volatility
    return RiskFactor("volatility", _score(v / 0.1), f"candle return stdev {v * 100:.2f}%")


def market_regime(ctx: RiskContext) -> RiskFactor:
    b = ctx.breadth
    # remembered per breadth, except -0.0: 0.0 and -0.0 are one key but print differently
    return _regime(b) if b or math.copysign(1.0, b) > 0 else _regime_factor(b)


def _regime_factor(b: float) -> RiskFactor:
    return RiskFactor("market_regime", _score(1.0 - b), f"{b * 100:.0f}% of pools trending up")


_regime = _remembered(maxsize=256)(_regime_factor)


def daily_loss_drawdown(ctx: RiskContext) -> RiskFactor:
    s = ctx.settings
    loss = Decimal(max(0, -ctx.daily_pnl))
    limit = Decimal(s.daily_loss_limit_quote)
    loss_ratio = loss / limit if limit else _ZERO
    dd_ratio = ctx.drawdown_pct / s.max_drawdown_pct if s.max_drawdown_pct else _ZERO
    why = (
        f"daily loss {loss / _WEI:.4f} of {_quote_text(s.daily_loss_limit_quote)}"
        f" quote, drawdown {ctx.drawdown_pct:.2f}% of {s.max_drawdown_pct}%"
    )
    blocking = ctx.side is _BUY and (loss_ratio >= 1 or dd_ratio >= 1)
    return RiskFactor("daily_loss_drawdown", _score(max(loss_ratio, dd_ratio)), why, blocking)


def execution_cost(ctx: RiskContext) -> RiskFactor:
    s = ctx.settings
    gas = ctx.gas_price_wei * s.gas_per_swap
    impact = 0
    if ctx.reserve_in > 0 and ctx.reserve_out > 0 and ctx.amount_in > 0:
        impact = impact_bps(ctx.amount_in, ctx.reserve_in, ctx.reserve_out, s.fee_bps)
    gas_bps = gas * 10_000 // ctx.quote_value if ctx.quote_value > 0 else 10_000
    # MEV: a sandwich can take up to our slippage tolerance minus the impact we already pay
    mev_bps = max(0, s.max_slippage_bps - impact) if impact > 50 else 0
    return _execution(gas_bps, impact, mev_bps, ctx.side is _BUY)


@_remembered(maxsize=1024)
def _execution(gas_bps: int, impact: int, mev_bps: int, buy: bool) -> RiskFactor:
    """execution_cost from its three parts (bps): remembered."""
    total = gas_bps + impact + mev_bps
    why = f"gas {gas_bps} bps, fee+impact {impact} bps, sandwich exposure {mev_bps} bps"
    return RiskFactor("execution_cost", _score(total / 1000), why, buy and gas_bps > 1000)


FACTORS: tuple[Callable[[RiskContext], RiskFactor], ...] = (
    token_safety,
    liquidity_impact,
    position_size,
    concentration,
    volatility,
    market_regime,
    daily_loss_drawdown,
    execution_cost,
)


def assess(ctx: RiskContext) -> tuple[RiskFactor, ...]:
    """The eight factors of ``ctx``, in :data:`FACTORS` order, worked out in
    :data:`RISK_DECIMALS` whatever the caller's decimal context."""
    with localcontext(RISK_DECIMALS):
        return tuple([f(ctx) for f in FACTORS])
