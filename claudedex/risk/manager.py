"""The risk manager: a Signal in, a sized TradeProposal (or a reason to drop it) out.

Why it owns sizing and min-amount-out: the proposal the operator approves must already be
the exact order (amounts in base units, min out from Uniswap's own integer formula), so
what is approved is what the signer is asked to sign.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from typing import Any

from claudedex.amm import expected_output, get_amount_out, min_amount_out
from claudedex.clock import Clock
from claudedex.config import Profile
from claudedex.domain import RiskFactor, Side, Signal, TradeProposal, Verdict
from claudedex.market.view import MarketView, PoolState
from claudedex.risk import sizing
from claudedex.risk.context import (
    WEI,
    RiskContext,
    RiskSettings,
    breadth,
    deployer_of,
    volatility,
)
from claudedex.risk.factors import RISK_DECIMALS, assess, impact_bps

_BUY, _SELL = Side.BUY, Side.SELL
_ZERO = Decimal(0)


def _wei(x: Decimal) -> int:
    return int(x * WEI)


def settings_from_profile(profile: Profile) -> RiskSettings:
    """Limits from ``[limits]``, knobs from ``[strategy.params]`` (same keys as RiskSettings)."""
    lim = profile.limits
    p: dict[str, Any] = dict(profile.strategy.params)
    fee = profile.venues[0].fee_bps if profile.venues else 30
    base = RiskSettings()
    return RiskSettings(
        max_trade_quote=_wei(lim.max_trade_quote),
        max_open_positions=lim.max_open_positions,
        max_token_exposure_pct=lim.max_token_exposure_pct,
        max_slippage_bps=lim.max_slippage_bps,
        daily_loss_limit_quote=_wei(lim.daily_loss_limit_quote),
        max_drawdown_pct=lim.max_drawdown_pct,
        fee_bps=fee,
        gas_per_swap=int(p.get("gas_per_swap", base.gas_per_swap)),
        max_scam_probability=float(p.get("max_scam_probability", base.max_scam_probability)),
        require_report=bool(p.get("require_report", base.require_report)),
        max_risk=Decimal(str(p.get("max_risk", base.max_risk))),
        sizing=str(p.get("sizing", base.sizing)),
        fraction=Decimal(str(p.get("fraction", base.fraction))),
        kelly_win_rate=Decimal(str(p.get("kelly_win_rate", base.kelly_win_rate))),
        kelly_payoff=Decimal(str(p.get("kelly_payoff", base.kelly_payoff))),
        kelly_cap=Decimal(str(p.get("kelly_cap", base.kelly_cap))),
        target_vol=float(p.get("target_vol", base.target_vol)),
    )


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome for one signal: a proposal, or why there is none."""

    signal: Signal
    proposal: TradeProposal | None
    factors: tuple[RiskFactor, ...]
    dropped: str = ""
    size_by: str = ""  # what decided the size: the sizing rule, or the cap that bound it


def _deepest_for_buy(
    signal: Signal, pool: PoolState | None, view: MarketView
) -> tuple[Signal, PoolState | None]:
    """A buy is sized on the token's deepest pool, not the signal's pair: the planner routes
    through the profile's other quote assets (``WETH -> USDC -> TOKEN``), and discovery
    publishes those pools' depth in native units (:mod:`claudedex.discovery.routed`), so a
    token whose WETH pool is dust and whose USDC pool is deep gets the USDC pool's size."""
    deepest = view.token_pair.get(signal.token, "")
    deep = view.pools.get(deepest) if deepest and deepest != signal.pair else None
    if deep is None or deep.reserve_token <= 0:
        return signal, pool
    if pool is not None and pool.reserve_token > 0 and deep.reserve_quote <= pool.reserve_quote:
        return signal, pool
    return replace(signal, pair=deepest), deep


def _uuid() -> str:
    return uuid.uuid4().hex


class RiskManager:
    def __init__(
        self,
        settings: RiskSettings,
        venue: str = "uniswap_v2",
        new_id: Callable[[], str] = _uuid,
    ) -> None:
        self.settings = settings
        self.venue = venue
        self._new_id = new_id

    def assess(self, signal: Signal, view: MarketView, clock: Clock) -> Assessment:
        """``signal`` judged on ``view``: a proposal, or why none (see :class:`Assessment`).
        Its Decimal figures are worked out in :data:`~claudedex.risk.factors.RISK_DECIMALS`
        whatever the caller's decimal context (a strategy's may differ)."""
        with localcontext(RISK_DECIMALS):
            return self._assess(signal, view)

    def _assess(self, signal: Signal, view: MarketView) -> Assessment:
        s = self.settings
        buy = signal.side is _BUY  # a signal keeps its side through the re-routings below
        sell = signal.side is _SELL
        pool = view.pools.get(signal.pair)
        if sell and (pool is None or pool.reserve_quote <= 0):
            deepest = view.token_pair.get(signal.token, "")  # an exit sells where liquidity is
            if deepest and deepest != signal.pair:
                signal = replace(signal, pair=deepest)
                pool = view.pools.get(deepest)
        if buy:
            signal, pool = _deepest_for_buy(signal, pool, view)
        if pool is None or pool.reserve_token <= 0 or pool.reserve_quote <= 0:
            return Assessment(signal, None, (), "no pool reserves known")
        report = view.reports.get(signal.token)
        if buy and report is not None and report.verdict is Verdict.SCAM:
            return Assessment(signal, None, (), "scam verdict: never bought")
        exiting = view.portfolio.exiting.get(signal.token)
        if buy and exiting:
            return Assessment(signal, None, (), f"exit of this token pending: {exiting}")
        pf = view.portfolio
        equity = pf.equity_quote
        vol = volatility(view, signal.pair)
        held = {t for t, a in pf.positions.items() if a > 0}
        if pf.committed:
            held |= {t for t, c in pf.committed.items() if c > 0}
        token_exposure = pf.position_value.get(signal.token, 0) + pf.committed.get(signal.token, 0)
        if buy:
            r_in, r_out = pool.reserve_quote, pool.reserve_token
            amount, size_by = self._buy_size(
                signal, equity, vol, token_exposure, r_in,
                pf.cash_quote - sum(pf.committed.values()) if pf.committed else pf.cash_quote,
            )
            quote_value = amount
        else:
            r_in, r_out = pool.reserve_token, pool.reserve_quote
            position = pf.positions.get(signal.token, 0)
            amount = min(signal.amount_in or position, position)
            size_by = "signal size" if signal.amount_in and amount < position else "whole position"
            quote_value = get_amount_out(amount, r_in, r_out, s.fee_bps) if amount > 0 else 0
        if amount <= 0:
            return Assessment(signal, None, (), "size is zero after limits")
        deployer = deployer_of(report)
        dep_exposure = 0
        if deployer:
            for tok, value in pf.position_value.items():
                if deployer_of(view.reports.get(tok)) == deployer:
                    dep_exposure += value
        peak = pf.peak_equity_quote
        dd = _ZERO
        if peak > 0 and equity < peak:
            dd = Decimal(peak - equity) * 100 / Decimal(peak)
        score = view.scores.get(signal.token)
        ctx = RiskContext(
            side=signal.side,
            token=signal.token,
            pair=signal.pair,
            amount_in=amount,
            quote_value=quote_value,
            reserve_in=r_in,
            reserve_out=r_out,
            equity=equity,
            token_exposure=token_exposure,
            deployer_exposure=dep_exposure,
            open_positions=len(held),
            report=report,
            score=score,
            volatility=vol,
            breadth=breadth(view),
            daily_pnl=equity - pf.day_start_equity_quote if pf.day_start_equity_quote else 0,
            drawdown_pct=dd,
            gas_price_wei=view.base_fee_wei,
            settings=s,
        )
        factors = assess(ctx)
        if buy:
            blocked = [f for f in factors if f.blocking]
            if blocked:
                why = f"{blocked[0].name}: {blocked[0].explanation}"
                return Assessment(signal, None, factors, why)
            mean = sum([f.score for f in factors], Decimal(0)) / len(factors)
            if mean > s.max_risk:
                why = f"aggregate risk {mean:.2f} > {s.max_risk}"
                return Assessment(signal, None, factors, why)
        # what reaches us after the token's measured transfer taxes: the min-out the
        # operator approves is a bound execution keeps (it never fills below it)
        buy_tax = (report.buy_tax_bps or 0) if report is not None else 0
        sell_tax = (report.sell_tax_bps or 0) if report is not None else 0
        expected = expected_output(
            amount, r_in, r_out, s.fee_bps,
            in_tax_bps=sell_tax if sell else 0,
            out_tax_bps=buy_tax if buy else 0)
        proposal = TradeProposal(
            id=self._new_id(),
            token=signal.token,
            pair=signal.pair,
            venue=self.venue,
            side=signal.side,
            amount_in=amount,
            min_amount_out=min_amount_out(expected, s.max_slippage_bps),
            quote_value=Decimal(quote_value) / WEI,
            slippage_bps=s.max_slippage_bps,
            verdict=report.verdict if report is not None else Verdict.UNKNOWN,
            factors=factors,
            ml_score=score.scam_probability if score is not None else None,
            price_impact_bps=impact_bps(amount, r_in, r_out, s.fee_bps),
            gas_estimate=s.gas_per_swap,
            symbol=view.symbols.get(signal.token, ""),
            strategy=signal.strategy,
            reason=signal.reason,
        )
        return Assessment(signal, proposal, factors, size_by=size_by)

    def _buy_size(
        self, signal: Signal, equity: int, vol: float, exposure: int, reserve_quote: int, cash: int
    ) -> tuple[int, str]:
        """The buy size in quote base units and what decided it (the rule or the cap)."""
        s = self.settings
        size = signal.amount_in if signal.amount_in else sizing.base_size(s, equity, vol)
        room = int(Decimal(equity) * s.max_token_exposure_pct / 100) - exposure
        impact = sizing.impact_cap(reserve_quote, s.max_slippage_bps, s.fee_bps)
        # the smallest cap; on a tie the first named (max trade, token exposure, impact, cash)
        cap, cap_by = s.max_trade_quote, "max trade"
        if room < cap:
            cap, cap_by = room, "token exposure"
        if impact < cap:
            cap, cap_by = impact, "price impact"
        if (cash > 0 or equity > 0) and cash < cap:
            cap, cap_by = cash, "cash"
        if size <= cap:
            return max(0, size), "signal size" if signal.amount_in else f"{s.sizing} sizing"
        return max(0, cap), cap_by
