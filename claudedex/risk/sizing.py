"""Position sizing in quote wei: fixed fraction, capped Kelly, volatility target.

Integers and Decimal throughout: a size becomes an order amount. The volatility input is
an analytics float, converted once to a Decimal ratio.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from claudedex.amm import BPS
from claudedex.errors import UserInputError
from claudedex.risk.context import RiskSettings


def _floor(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_DOWN))


def fixed_fraction(equity: int, fraction: Decimal) -> int:
    return max(0, _floor(Decimal(equity) * fraction))


def capped_kelly(equity: int, win_rate: Decimal, payoff: Decimal, cap: Decimal) -> int:
    """Kelly f* = p - (1-p)/b, never above ``cap`` and never negative."""
    if payoff <= 0:
        return 0
    f = win_rate - (1 - win_rate) / payoff
    return max(0, _floor(Decimal(equity) * min(max(f, Decimal(0)), cap)))


def vol_target(equity: int, fraction: Decimal, target_vol: float, realized_vol: float) -> int:
    """Scale the base fraction by target/realized volatility, never above 1x."""
    if realized_vol <= 0:
        return fixed_fraction(equity, fraction)
    scale = min(Decimal(1), Decimal(str(round(target_vol / realized_vol, 6))))
    return fixed_fraction(equity, fraction * scale)


def base_size(settings: RiskSettings, equity: int, realized_vol: float) -> int:
    if settings.sizing == "fixed":
        return fixed_fraction(equity, settings.fraction)
    if settings.sizing == "kelly":
        s = settings
        return capped_kelly(equity, s.kelly_win_rate, s.kelly_payoff, s.kelly_cap)
    if settings.sizing == "vol_target":
        return vol_target(equity, settings.fraction, settings.target_vol, realized_vol)
    raise UserInputError(f"unknown sizing '{settings.sizing}' (known: fixed, kelly, vol_target)")


def impact_cap(reserve_in: int, max_impact_bps: int, fee_bps: int) -> int:
    """Largest input whose pure price impact stays within ``max_impact_bps`` minus the fee.

    Impact (fee aside) of input a against reserve r is a/(r+a); solving a/(r+a) <= i
    gives a <= r*i/(1-i).
    """
    i = max(0, max_impact_bps - fee_bps)
    if i <= 0 or reserve_in <= 0:
        return 0
    return reserve_in * i // (BPS - i)
