"""Exact integer Uniswap V2 constant-product math.

Why here and in integers: every fill, quote, mark and min-amount-out in ClaudeDex must agree
with what the pair contract would compute, to the wei. These functions replicate
``UniswapV2Library.getAmountOut`` / ``getAmountIn`` with the fee as a parameter (30 bps is
Uniswap V2's 0.3%), so the backtest, the risk manager and the execution layer share one
formula.
"""

from __future__ import annotations

BPS = 10_000
DEFAULT_FEE_BPS = 30


class AmmError(ValueError):
    """Invalid AMM input (zero reserves, output larger than the pool, bad fee)."""


def _check_fee(fee_bps: int) -> None:
    if not 0 <= fee_bps < BPS:
        raise AmmError(f"fee_bps must be in [0, {BPS}), got {fee_bps}")


def get_amount_out(
    amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = DEFAULT_FEE_BPS
) -> int:
    """Output amount for an exact input, as ``UniswapV2Library.getAmountOut``."""
    _check_fee(fee_bps)
    if amount_in < 0:
        raise AmmError("amount_in must be >= 0")
    if reserve_in <= 0 or reserve_out <= 0:
        raise AmmError("insufficient liquidity")
    if amount_in == 0:
        return 0
    amount_in_with_fee = amount_in * (BPS - fee_bps)
    numerator = amount_in_with_fee * reserve_out
    denominator = reserve_in * BPS + amount_in_with_fee
    return numerator // denominator


def get_amount_in(
    amount_out: int, reserve_in: int, reserve_out: int, fee_bps: int = DEFAULT_FEE_BPS
) -> int:
    """Minimum input needed for an exact output, as ``UniswapV2Library.getAmountIn``."""
    _check_fee(fee_bps)
    if amount_out < 0:
        raise AmmError("amount_out must be >= 0")
    if reserve_in <= 0 or reserve_out <= 0:
        raise AmmError("insufficient liquidity")
    if amount_out >= reserve_out:
        raise AmmError("amount_out exceeds the pool's reserve")
    if amount_out == 0:
        return 0
    numerator = reserve_in * amount_out * BPS
    denominator = (reserve_out - amount_out) * (BPS - fee_bps)
    return numerator // denominator + 1


def price_impact_bps(
    amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = DEFAULT_FEE_BPS
) -> int:
    """How much worse than the spot price (fee excluded) this trade executes, in bps.

    Spot output would be ``amount_in * reserve_out / reserve_in``; the impact is the shortfall
    of the actual (fee-included) output against that, rounded up so it is never understated.
    """
    if amount_in <= 0:
        return 0
    out = get_amount_out(amount_in, reserve_in, reserve_out, fee_bps)
    # shortfall / spot = 1 - out*reserve_in/(amount_in*reserve_out)
    spot_num = amount_in * reserve_out
    short = spot_num - out * reserve_in
    return -(-short * BPS // spot_num)  # ceil division


def expected_output(
    amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = DEFAULT_FEE_BPS,
    *, in_tax_bps: int = 0, out_tax_bps: int = 0,
) -> int:
    """What reaches us: input tax taken before the pair, output tax after (integers)."""
    reaching_pair = amount_in * (BPS - in_tax_bps) // BPS
    out = get_amount_out(reaching_pair, reserve_in, reserve_out, fee_bps)
    return out * (BPS - out_tax_bps) // BPS


def min_amount_out(expected_out: int, slippage_bps: int) -> int:
    """The least output we accept given a slippage tolerance (floor, never above expected)."""
    if not 0 <= slippage_bps <= BPS:
        raise AmmError(f"slippage_bps must be in [0, {BPS}], got {slippage_bps}")
    return expected_out * (BPS - slippage_bps) // BPS


def apply_swap(
    amount_in: int,
    reserve_in: int,
    reserve_out: int,
    fee_bps: int = DEFAULT_FEE_BPS,
) -> tuple[int, int, int]:
    """Swap against reserves; returns ``(amount_out, new_reserve_in, new_reserve_out)``."""
    out = get_amount_out(amount_in, reserve_in, reserve_out, fee_bps)
    return out, reserve_in + amount_in, reserve_out - out
