"""The simulated venue: AMM-exact fills against replayed reserves, gas, and latency.

Why Uniswap's own formula: a fill is ``get_amount_out`` on the reserves current when the
order lands (``latency_blocks`` later), so the fee and our own price impact are exact;
an output below the proposal's ``min_amount_out`` reverts and still pays gas, as on chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from claudedex.amm import get_amount_out
from claudedex.domain import Side, TradeProposal
from claudedex.market.view import PoolState


@dataclass(frozen=True, slots=True)
class VenueConfig:
    fee_bps: int = 30
    latency_blocks: int = 1
    gas_used: int = 150_000
    gas_price_wei: int = 5 * 10**9
    extra_slippage_bps: int = 0  # candles: slippage beyond the virtual pool's own impact


@dataclass(frozen=True, slots=True)
class SimFill:
    proposal: TradeProposal
    ts: float
    block: int
    amount_in: int
    amount_out: int
    gas_cost_wei: int
    reverted: bool


def fill(
    cfg: VenueConfig, p: TradeProposal, pool: PoolState, held: int, ts: float, block: int
) -> SimFill:
    """Execute ``p`` against ``pool``; sells never exceed what we hold."""
    gas = cfg.gas_used * cfg.gas_price_wei
    if p.side is Side.BUY:
        amount_in, r_in, r_out = p.amount_in, pool.reserve_quote, pool.reserve_token
    else:
        amount_in, r_in, r_out = min(p.amount_in, held), pool.reserve_token, pool.reserve_quote
    if amount_in <= 0 or r_in <= 0 or r_out <= 0:
        return SimFill(p, ts, block, 0, 0, gas, True)
    out = get_amount_out(amount_in, r_in, r_out, cfg.fee_bps)
    if cfg.extra_slippage_bps:
        out = out * (10_000 - cfg.extra_slippage_bps) // 10_000
    if out < p.min_amount_out:
        return SimFill(p, ts, block, 0, 0, gas, True)
    return SimFill(p, ts, block, amount_in, out, gas, False)
