"""amountOutMin and deadline, computed at send time from fresh chain data.

Why at send time: a proposal's minimum was computed when it was proposed; the operator may
approve it a minute later. The bound that protects the trade (and makes a sandwich
unprofitable: an attacker can move the price by at most the tolerance) must come from the
reserves read just before signing, with the exact integer ``getAmountOut``.
"""

from __future__ import annotations

from typing import Any

from claudedex.amm import min_amount_out


def effective_slippage_bps(requested_bps: int, max_bps: int) -> int:
    """The proposal's tolerance, never above the profile's ``limits.max_slippage_bps``."""
    if requested_bps <= 0:
        return max_bps
    return min(requested_bps, max_bps)


def amount_out_min(expected_out: int, requested_bps: int, max_bps: int) -> int:
    return min_amount_out(expected_out, effective_slippage_bps(requested_bps, max_bps))


async def chain_deadline(w3: Any, ttl_s: int) -> int:
    """Deadline from the chain's own clock (latest block timestamp), not the local one."""
    block = await w3.eth.get_block("latest")
    return int(block["timestamp"]) + ttl_s
