"""The fast risk factors and helpers give exactly what the plain formulas give.

``claudedex.risk.factors`` answers scores from a table, remembers price impacts, shares and
factor results; ``context.volatility`` reads candles from the end; the manager picks the
binding cap without ``min``. Each is checked here against the
straightforward version it replaced (kept below, verbatim), on random inputs: same score
(value and exponent), same explanation, same blocking value, or the same exception.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from claudedex.amm import price_impact_bps
from claudedex.domain import RiskFactor, RiskReport, Score, Side, Verdict
from claudedex.market.candles import Candle
from claudedex.risk import factors as fast
from claudedex.risk.context import RiskContext, RiskSettings, volatility
from claudedex.risk.manager import RiskManager

TWO = Decimal("0.01")


# --- the plain versions (as before the fast path) ----------------------------------------

def ref_score(x: float | Decimal) -> Decimal:
    v = Decimal(str(x)) if isinstance(x, float) else x
    return min(Decimal(1), max(Decimal(0), v)).quantize(TWO)


def _buy(ctx: RiskContext) -> bool:
    return ctx.side is Side.BUY


def _pct(part: int, whole: int) -> Decimal:
    return Decimal(part) * 100 / Decimal(whole) if whole > 0 else Decimal(100)


def ref_token_safety(ctx: RiskContext) -> RiskFactor:
    verdict = ctx.report.verdict if ctx.report else Verdict.UNKNOWN
    base = {Verdict.SAFE: 0.1, Verdict.RISKY: 0.6, Verdict.UNKNOWN: 0.5, Verdict.SCAM: 1.0}
    score = base[verdict]
    why = f"verdict {verdict.value}"
    ml_block = False
    if ctx.score is not None:
        p = ctx.score.scam_probability
        score = max(score, p)
        why += f", ml scam probability {p:.2f}"
        ml_block = p >= ctx.settings.max_scam_probability
    if ctx.report is not None and ctx.report.sell_tax_bps:
        why += f", sell tax {ctx.report.sell_tax_bps} bps"
        score = max(score, min(1.0, ctx.report.sell_tax_bps / 2000))
    blocking = _buy(ctx) and (
        verdict is Verdict.SCAM or ml_block or (ctx.settings.require_report and ctx.report is None)
    )
    return RiskFactor("token_safety", ref_score(score), why, blocking)


def ref_liquidity_impact(ctx: RiskContext) -> RiskFactor:
    if ctx.reserve_in <= 0 or ctx.reserve_out <= 0 or ctx.amount_in <= 0:
        return RiskFactor("liquidity_impact", Decimal(1), "no liquidity known", _buy(ctx))
    impact = price_impact_bps(ctx.amount_in, ctx.reserve_in, ctx.reserve_out, ctx.settings.fee_bps)
    limit = ctx.settings.max_slippage_bps
    why = f"price impact {impact} bps (fee incl.) vs max slippage {limit} bps"
    blocking = _buy(ctx) and impact > limit
    return RiskFactor("liquidity_impact", ref_score(impact / limit), why, blocking)


def ref_position_size(ctx: RiskContext) -> RiskFactor:
    pct = _pct(ctx.quote_value, ctx.equity)
    cap = ctx.settings.max_trade_quote
    why = f"{pct:.2f}% of equity, cap {Decimal(cap) / 10**18} quote per trade"
    over = _buy(ctx) and ctx.quote_value > cap
    return RiskFactor("position_size", ref_score(pct / 10), why, over)


def ref_concentration(ctx: RiskContext) -> RiskFactor:
    extra = ctx.quote_value if _buy(ctx) else -ctx.quote_value
    tok = _pct(max(0, ctx.token_exposure + extra), ctx.equity)
    dep = _pct(max(0, ctx.deployer_exposure + extra), ctx.equity)
    limit = ctx.settings.max_token_exposure_pct
    why = f"token {tok:.1f}%, deployer {dep:.1f}% of equity (limit {limit}%)"
    full = _buy(ctx) and ctx.open_positions >= ctx.settings.max_open_positions
    if full and ctx.token_exposure == 0:
        why += (f"; {ctx.open_positions} positions open or pending "
                f"(max {ctx.settings.max_open_positions})")
    blocking = _buy(ctx) and (tok > limit or dep > limit or (full and ctx.token_exposure == 0))
    return RiskFactor("concentration", ref_score(max(tok, dep) / limit), why, blocking)


def ref_volatility_factor(ctx: RiskContext) -> RiskFactor:
    v = ctx.volatility
    return RiskFactor("volatility", ref_score(v / 0.1), f"candle return stdev {v * 100:.2f}%")


def ref_market_regime(ctx: RiskContext) -> RiskFactor:
    b = ctx.breadth
    return RiskFactor("market_regime", ref_score(1.0 - b), f"{b * 100:.0f}% of pools trending up")


def ref_daily_loss_drawdown(ctx: RiskContext) -> RiskFactor:
    s = ctx.settings
    loss = max(0, -ctx.daily_pnl)
    limit = Decimal(s.daily_loss_limit_quote)
    loss_ratio = Decimal(loss) / limit if limit else Decimal(0)
    dd_ratio = ctx.drawdown_pct / s.max_drawdown_pct if s.max_drawdown_pct else Decimal(0)
    why = (
        f"daily loss {Decimal(loss) / 10**18:.4f} of {Decimal(s.daily_loss_limit_quote) / 10**18}"
        f" quote, drawdown {ctx.drawdown_pct:.2f}% of {s.max_drawdown_pct}%"
    )
    blocking = _buy(ctx) and (loss_ratio >= 1 or dd_ratio >= 1)
    return RiskFactor("daily_loss_drawdown", ref_score(max(loss_ratio, dd_ratio)), why, blocking)


def ref_execution_cost(ctx: RiskContext) -> RiskFactor:
    gas = ctx.gas_price_wei * ctx.settings.gas_per_swap
    impact = 0
    if ctx.reserve_in > 0 and ctx.reserve_out > 0 and ctx.amount_in > 0:
        fee = ctx.settings.fee_bps
        impact = price_impact_bps(ctx.amount_in, ctx.reserve_in, ctx.reserve_out, fee)
    gas_bps = gas * 10_000 // ctx.quote_value if ctx.quote_value > 0 else 10_000
    mev_bps = max(0, ctx.settings.max_slippage_bps - impact) if impact > 50 else 0
    total = gas_bps + impact + mev_bps
    why = f"gas {gas_bps} bps, fee+impact {impact} bps, sandwich exposure {mev_bps} bps"
    return RiskFactor("execution_cost", ref_score(total / 1000), why, _buy(ctx) and gas_bps > 1000)


REFERENCE = (ref_token_safety, ref_liquidity_impact, ref_position_size, ref_concentration,
             ref_volatility_factor, ref_market_regime, ref_daily_loss_drawdown, ref_execution_cost)


def ref_volatility(candles: Any, window: int = 30) -> float:
    n = len(candles)
    if n < 3:
        return 0.0
    closes = [candles[i].close for i in range(max(0, n - window - 1), n)]
    rets = [b / a - 1.0 for a, b in zip(closes, closes[1:], strict=False) if a > 0]
    if len(rets) < 2:
        return 0.0
    mean = sum(rets) / len(rets)
    return math.sqrt(sum((r - mean) ** 2 for r in rets) / (len(rets) - 1))


def outcome(f: Callable[..., Any], *args: Any) -> tuple[str, str]:
    """What a call gives, comparable across versions: the result's repr (Decimal exponents,
    True vs 1 and -0.0 included) or the exception's type."""
    try:
        return "ok", repr(f(*args))
    except Exception as exc:  # noqa: BLE001 - the type is the comparison
        return "raised", type(exc).__name__


# --- _score ------------------------------------------------------------------------------

# values within a few ulps of every half-hundredth, where rounding is decided
_HALVES = st.builds(
    lambda k, steps: _nudge((2 * k + 1) / 200, steps),
    st.integers(-2, 201), st.integers(-3, 3))


def _nudge(x: float, steps: int) -> float:
    for _ in range(abs(steps)):
        x = math.nextafter(x, math.inf if steps > 0 else -math.inf)
    return x


@settings(max_examples=1500, deadline=None)
@given(st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-0.5, 1.5),
    _HALVES,
    st.decimals(allow_nan=False, allow_infinity=True),
    st.decimals(min_value=Decimal(-2), max_value=Decimal(2), places=4),
    st.decimals(min_value=Decimal(-2), max_value=Decimal(2)),
    st.integers(-5, 5),
))
def test_score_is_the_plain_formula(x: float | Decimal) -> None:
    assert outcome(fast._score, x) == outcome(ref_score, x)


def test_score_edges() -> None:
    # 0.545 * 100 == 54.50000000000001 and 0.575 * 100 == 57.49999999999999 in floats, but
    # their reprs are halves: rounding x * 100 alone would give 0.55 and 0.57, not 0.54, 0.58
    for x in (0.545, 0.575, 0.11499999999999999, 0.20500000000000002, 0.7050000000000001,
              0.0, -0.0, 1.0, 0.005, 0.015, 0.125, 0.165, 0.995, 1e-300, 5e-324, 0.9999999,
              math.inf, -math.inf, math.nan, Decimal("0.005"), Decimal("0.015"),
              Decimal("-0"), Decimal("0.00"), Decimal("1.000"), Decimal("NaN"), Decimal("sNaN")):
        assert outcome(fast._score, x) == outcome(ref_score, x), x
    assert [str(d) for d in fast._SCORES] == [f"{n / 100:.2f}" for n in range(101)]


# --- the eight factors -------------------------------------------------------------------

_wei = st.one_of(st.integers(-10**21, 10**30), st.sampled_from([0, 1, -1, 10**18]))
_small_float = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                         st.floats(-0.5, 1.5), st.sampled_from([0.0, -0.0, 0.5, 1.0]), _HALVES)
_pct_dec = st.one_of(st.decimals(min_value=Decimal(0), max_value=Decimal(200), places=3),
                     st.sampled_from([Decimal(0), Decimal(25), Decimal("100"), Decimal("-5")]))

_settings = st.builds(
    RiskSettings,
    max_trade_quote=_wei,
    max_open_positions=st.integers(0, 6),
    max_token_exposure_pct=_pct_dec,
    max_slippage_bps=st.one_of(st.integers(0, 10_000), st.just(300)),
    daily_loss_limit_quote=_wei,
    max_drawdown_pct=_pct_dec,
    fee_bps=st.one_of(st.integers(0, 10_000), st.sampled_from([30, 10_001, -1])),
    gas_per_swap=st.integers(0, 10**6),
    max_scam_probability=st.floats(0, 1),
    require_report=st.booleans(),
)

_report = st.one_of(st.none(), st.builds(
    RiskReport, token=st.just("T"), pair=st.just("P"), verdict=st.sampled_from(Verdict),
    findings=st.just(()), sell_tax_bps=st.one_of(st.none(), st.integers(0, 10_000)),
    buy_tax_bps=st.one_of(st.none(), st.integers(0, 10_000))))

_score_ml = st.one_of(st.none(), st.builds(Score, token=st.just("T"),
                                           scam_probability=_small_float))

_contexts = st.builds(
    RiskContext,
    side=st.sampled_from(Side), token=st.just("T"), pair=st.just("P"),
    amount_in=_wei, quote_value=_wei, reserve_in=_wei, reserve_out=_wei, equity=_wei,
    token_exposure=_wei, deployer_exposure=st.one_of(_wei, st.just(0)),
    open_positions=st.integers(0, 8), report=_report, score=_score_ml,
    volatility=_small_float, breadth=_small_float,
    daily_pnl=_wei, drawdown_pct=_pct_dec, gas_price_wei=st.integers(0, 10**12),
    settings=_settings,
)


@settings(max_examples=600, deadline=None)
@given(_contexts)
def test_each_factor_is_the_plain_formula(ctx: RiskContext) -> None:
    for new, ref in zip(fast.FACTORS, REFERENCE, strict=True):
        assert outcome(new, ctx) == outcome(ref, ctx), new.__name__
        assert outcome(new, ctx) == outcome(ref, ctx), new.__name__  # again: from the caches


@settings(max_examples=150, deadline=None)
@given(_contexts)
def test_assess_is_the_eight_plain_factors(ctx: RiskContext) -> None:
    want = [outcome(ref, ctx) for ref in REFERENCE]
    if all(kind == "ok" for kind, _ in want):
        assert [repr(f) for f in fast.assess(ctx)] == [text for _, text in want]


def test_zero_breadth_keeps_its_sign_whatever_came_first() -> None:
    import dataclasses

    base = RiskContext(Side.BUY, "T", "P", 10**18, 10**18, 10**21, 10**21, 10**19, 0, 0, 0,
                       None, None, 0.01, 0.5, 0, Decimal(0), 0, RiskSettings())
    for order in ((0.0, -0.0, 0.0), (-0.0, 0.0, -0.0)):
        for b in order:
            ctx = dataclasses.replace(base, breadth=b)
            assert outcome(fast.market_regime, ctx) == outcome(ref_market_regime, ctx)


# --- volatility, ids, the binding cap ----------------------------------------------------

class _View:
    def __init__(self, candles: Any) -> None:
        self._c = candles

    def candles(self, pair: str) -> Any:
        return self._c


_close = st.one_of(st.floats(0.01, 1e6), st.sampled_from([0.0, -1.0, 1.0]),
                   st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=500, deadline=None)
@given(st.lists(_close, max_size=80), st.sampled_from([-3, -1, 0, 1, 2, 3, 30, 100]),
       st.booleans())
def test_volatility_is_the_plain_formula(closes: list[float], window: int, as_deque: bool) -> None:
    candles: Any = [Candle(float(i), c, c, c, c, 0.0) for i, c in enumerate(closes)]
    candles = deque(candles, maxlen=500) if as_deque else tuple(candles)
    got = outcome(volatility, _View(candles), "P", window)
    assert got == outcome(ref_volatility, candles, window)


@settings(max_examples=300, deadline=None)
@given(equity=_wei, exposure=_wei, reserve=_wei, cash=_wei, cap=_wei,
       amount=st.one_of(st.none(), _wei), slippage=st.integers(0, 10_000),
       fee=st.integers(0, 10_000), pct=_pct_dec)
def test_buy_size_picks_the_first_smallest_cap(
    equity: int, exposure: int, reserve: int, cash: int, cap: int, amount: int | None,
    slippage: int, fee: int, pct: Decimal,
) -> None:
    from claudedex.domain import Signal
    from claudedex.risk import sizing

    s = RiskSettings(max_trade_quote=cap, max_slippage_bps=slippage, fee_bps=fee,
                     max_token_exposure_pct=pct)
    signal = Signal("st", "T", "P", Side.BUY, "test", amount_in=amount)

    def plain() -> tuple[int, str]:
        size = signal.amount_in if signal.amount_in else sizing.base_size(s, equity, 0.0)
        room = int(Decimal(equity) * s.max_token_exposure_pct / 100) - exposure
        caps = [(s.max_trade_quote, "max trade"), (room, "token exposure"),
                (sizing.impact_cap(reserve, s.max_slippage_bps, s.fee_bps), "price impact")]
        if cash > 0 or equity > 0:
            caps.append((cash, "cash"))
        bound, bound_by = min(caps, key=lambda c: c[0])
        if size <= bound:
            return max(0, size), "signal size" if signal.amount_in else f"{s.sizing} sizing"
        return max(0, bound), bound_by

    got = outcome(RiskManager(s)._buy_size, signal, equity, 0.0, exposure, reserve, cash)
    assert got == outcome(plain)
