"""Everything the eight risk factors read, gathered once per proposal.

Why a plain value: each factor is a pure function of this context, so a factor can be
unit-tested on its own and the TUI can show exactly what it was judged on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from claudedex.domain import RiskReport, Score, Side
from claudedex.market.view import MarketView

WEI = 10**18


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """Limits and knobs, from the profile's ``limits`` and ``strategy.params`` sections."""

    max_trade_quote: int = WEI // 2
    max_open_positions: int = 5
    max_token_exposure_pct: Decimal = Decimal(25)
    max_slippage_bps: int = 300
    daily_loss_limit_quote: int = WEI
    max_drawdown_pct: Decimal = Decimal(20)
    fee_bps: int = 30
    gas_per_swap: int = 150_000
    max_scam_probability: float = 0.8
    require_report: bool = False
    max_risk: Decimal = Decimal("0.85")
    sizing: str = "fixed"  # fixed | kelly | vol_target
    fraction: Decimal = Decimal("0.02")
    kelly_win_rate: Decimal = Decimal("0.5")
    kelly_payoff: Decimal = Decimal("1.5")
    kelly_cap: Decimal = Decimal("0.05")
    target_vol: float = 0.02  # per-candle return stdev the vol-target sizing aims for


@dataclass(frozen=True, slots=True)
class RiskContext:
    side: Side
    token: str
    pair: str
    amount_in: int  # quote wei for buys, token units for sells
    quote_value: int  # the trade's value in quote wei
    reserve_in: int
    reserve_out: int
    equity: int
    token_exposure: int  # quote wei already held in this token
    deployer_exposure: int  # quote wei held in tokens from the same deployer
    open_positions: int
    report: RiskReport | None
    score: Score | None
    volatility: float  # stdev of recent candle returns (analytics)
    breadth: float  # share of pools trending up (0..1), analytics
    daily_pnl: int  # quote wei since the day's start (negative = loss)
    drawdown_pct: Decimal
    gas_price_wei: int
    settings: RiskSettings


def volatility(view: MarketView, pair: str, window: int = 30) -> float:
    """Stdev of simple close-to-close returns over the last ``window`` candles."""
    candles = view.candles(pair)
    if len(candles) < 3:
        return 0.0
    # the last window+1 closes, read from the end (a view keeps candles in a deque, whose
    # indexing walks blocks), then put back oldest first: the sums keep their order
    closes = [c.close for c in islice(reversed(candles), max(0, window + 1))]
    closes.reverse()
    rets = [b / a - 1.0 for a, b in zip(closes, islice(closes, 1, None), strict=False) if a > 0]
    if len(rets) < 2:
        return 0.0
    mean = sum(rets) / len(rets)
    return math.sqrt(sum([(r - mean) ** 2 for r in rets]) / (len(rets) - 1))


def breadth(view: MarketView, lookback: int = 10) -> float:
    """Share of pools whose close is above the close ``lookback`` candles ago."""
    up = total = 0
    for pair in view.pools:
        candles = view.candles(pair)
        if len(candles) > lookback:
            total += 1
            if candles[-1].close > candles[-1 - lookback].close:
                up += 1
    return up / total if total else 0.5


def deployer_of(report: RiskReport | None) -> str:
    """The deployer address if the safety layer recorded one in a finding's evidence."""
    if report is None:
        return ""
    for finding in report.findings:
        dep = finding.evidence.get("deployer")
        if dep:
            return dep.lower()
    return ""
