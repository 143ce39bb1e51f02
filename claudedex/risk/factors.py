"""The eight named risk factors: each a pure function returning a score and one line.

Scores run 0 (no concern) to 1 (maximal concern). ``blocking`` marks a hard limit: the
risk manager drops the trade instead of proposing it. Exits (sells) are never blocked,
because refusing to leave a position is itself the larger risk.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from claudedex.amm import price_impact_bps
from claudedex.domain import RiskFactor, Side, Verdict
from claudedex.risk.context import RiskContext

TWO = Decimal("0.01")


def _score(x: float | Decimal) -> Decimal:
    v = Decimal(str(x)) if isinstance(x, float) else x
    return min(Decimal(1), max(Decimal(0), v)).quantize(TWO)


def _buy(ctx: RiskContext) -> bool:
    return ctx.side is Side.BUY


def _pct(part: int, whole: int) -> Decimal:
    return Decimal(part) * 100 / Decimal(whole) if whole > 0 else Decimal(100)


def token_safety(ctx: RiskContext) -> RiskFactor:
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
    return RiskFactor("token_safety", _score(score), why, blocking)


def liquidity_impact(ctx: RiskContext) -> RiskFactor:
    if ctx.reserve_in <= 0 or ctx.reserve_out <= 0 or ctx.amount_in <= 0:
        return RiskFactor("liquidity_impact", Decimal(1), "no liquidity known", _buy(ctx))
    impact = price_impact_bps(ctx.amount_in, ctx.reserve_in, ctx.reserve_out, ctx.settings.fee_bps)
    limit = ctx.settings.max_slippage_bps
    why = f"price impact {impact} bps (fee incl.) vs max slippage {limit} bps"
    return RiskFactor("liquidity_impact", _score(impact / limit), why, _buy(ctx) and impact > limit)


def position_size(ctx: RiskContext) -> RiskFactor:
    pct = _pct(ctx.quote_value, ctx.equity)
    cap = ctx.settings.max_trade_quote
    why = f"{pct:.2f}% of equity, cap {Decimal(cap) / 10**18} quote per trade"
    over = _buy(ctx) and ctx.quote_value > cap
    return RiskFactor("position_size", _score(pct / 10), why, over)


def concentration(ctx: RiskContext) -> RiskFactor:
    extra = ctx.quote_value if _buy(ctx) else -ctx.quote_value
    tok = _pct(max(0, ctx.token_exposure + extra), ctx.equity)
    dep = _pct(max(0, ctx.deployer_exposure + extra), ctx.equity)
    limit = ctx.settings.max_token_exposure_pct
    why = f"token {tok:.1f}%, deployer {dep:.1f}% of equity (limit {limit}%)"
    full = _buy(ctx) and ctx.open_positions >= ctx.settings.max_open_positions
    if full and ctx.token_exposure == 0:
        # pending buys count too: say so, or "5 open" contradicts a console showing 1
        why += (f"; {ctx.open_positions} positions open or pending "
                f"(max {ctx.settings.max_open_positions})")
    blocking = _buy(ctx) and (tok > limit or dep > limit or (full and ctx.token_exposure == 0))
    return RiskFactor("concentration", _score(max(tok, dep) / limit), why, blocking)


def volatility(ctx: RiskContext) -> RiskFactor:
    v = ctx.volatility
    return RiskFactor("volatility", _score(v / 0.1), f"candle return stdev {v * 100:.2f}%")


def market_regime(ctx: RiskContext) -> RiskFactor:
    b = ctx.breadth
    return RiskFactor("market_regime", _score(1.0 - b), f"{b * 100:.0f}% of pools trending up")


def daily_loss_drawdown(ctx: RiskContext) -> RiskFactor:
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
    return RiskFactor("daily_loss_drawdown", _score(max(loss_ratio, dd_ratio)), why, blocking)


def execution_cost(ctx: RiskContext) -> RiskFactor:
    gas = ctx.gas_price_wei * ctx.settings.gas_per_swap
    impact = 0
    if ctx.reserve_in > 0 and ctx.reserve_out > 0 and ctx.amount_in > 0:
        fee = ctx.settings.fee_bps
        impact = price_impact_bps(ctx.amount_in, ctx.reserve_in, ctx.reserve_out, fee)
    gas_bps = gas * 10_000 // ctx.quote_value if ctx.quote_value > 0 else 10_000
    # MEV: a sandwich can take up to our slippage tolerance minus the impact we already pay
    mev_bps = max(0, ctx.settings.max_slippage_bps - impact) if impact > 50 else 0
    total = gas_bps + impact + mev_bps
    why = f"gas {gas_bps} bps, fee+impact {impact} bps, sandwich exposure {mev_bps} bps"
    return RiskFactor("execution_cost", _score(total / 1000), why, _buy(ctx) and gas_bps > 1000)


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
    return tuple(f(ctx) for f in FACTORS)
