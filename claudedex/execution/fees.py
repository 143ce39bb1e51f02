"""EIP-1559 fees under the profile's caps, and the bump rule for replacing a stuck tx.

Why caps are hard: a fee spike must not spend more than the operator allowed; when the
base fee alone exceeds the cap we refuse to sign rather than send a transaction that would
sit in the pool and fill later at a stale price. Replacement needs both fees raised by at
least 10% (geth's and anvil's rule); we bump by 12.5% and round up.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from claudedex.config import LimitsConfig
from claudedex.errors import ChainError

GWEI = 10**9
BPS = 10_000
REPLACEMENT_MIN_BPS = 1_000  # nodes require +10% on both fees to replace
DEFAULT_BUMP_BPS = 1_250


class FeeCapExceeded(ChainError):
    """The network asks more than the profile's gas caps allow."""


@dataclass(frozen=True, slots=True)
class FeeCaps:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int

    @classmethod
    def from_limits(cls, limits: LimitsConfig) -> FeeCaps:
        return cls(
            max_fee_per_gas=int(limits.max_gas_price_gwei * Decimal(GWEI)),
            max_priority_fee_per_gas=int(limits.max_priority_fee_gwei * Decimal(GWEI)),
        )


@dataclass(frozen=True, slots=True)
class Fees:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int

    def tx_fields(self) -> dict[str, Any]:
        return {"maxFeePerGas": self.max_fee_per_gas,
                "maxPriorityFeePerGas": self.max_priority_fee_per_gas, "type": 2}


def fees_for(base_fee: int, suggested_priority: int, caps: FeeCaps) -> Fees:
    """``maxFee = 2*base + tip`` (room for two full blocks of base-fee growth), capped."""
    if base_fee > caps.max_fee_per_gas:
        raise FeeCapExceeded(
            f"base fee {Decimal(base_fee) / GWEI} gwei is above the profile cap "
            f"{Decimal(caps.max_fee_per_gas) / GWEI} gwei (limits.max_gas_price_gwei)"
        )
    tip = min(max(suggested_priority, 0), caps.max_priority_fee_per_gas)
    max_fee = min(2 * base_fee + tip, caps.max_fee_per_gas)
    tip = min(tip, max_fee)
    return Fees(max_fee, tip)


def _raise_by(value: int, bps: int) -> int:
    return -(-value * (BPS + bps) // BPS)  # ceil


def bump(fees: Fees, caps: FeeCaps, bump_bps: int = DEFAULT_BUMP_BPS) -> Fees:
    """Fees for a replacement: both raised by ``bump_bps`` (>= 10%), or FeeCapExceeded."""
    bump_bps = max(bump_bps, REPLACEMENT_MIN_BPS)
    tip = max(_raise_by(fees.max_priority_fee_per_gas, bump_bps), 1)
    max_fee = max(_raise_by(fees.max_fee_per_gas, bump_bps), tip)
    floor_tip = _raise_by(fees.max_priority_fee_per_gas, REPLACEMENT_MIN_BPS)
    floor_fee = _raise_by(fees.max_fee_per_gas, REPLACEMENT_MIN_BPS)
    tip = min(tip, caps.max_priority_fee_per_gas)
    max_fee = min(max_fee, caps.max_fee_per_gas)
    if tip < floor_tip or max_fee < floor_fee:
        raise FeeCapExceeded(
            "cannot replace the stuck transaction: a 10% fee bump would pass the profile's "
            "gas caps (limits.max_gas_price_gwei / max_priority_fee_gwei)"
        )
    return Fees(max_fee, tip)


async def estimate_fees(w3: Any, caps: FeeCaps) -> Fees:
    """Fees from the latest block's base fee and the node's suggested tip (AsyncWeb3)."""
    async def suggested_tip() -> int:
        try:
            return int(await w3.eth.max_priority_fee)
        except (ValueError, KeyError):  # nodes without eth_maxPriorityFeePerGas
            return GWEI

    block, tip = await asyncio.gather(w3.eth.get_block("latest"), suggested_tip())
    base_fee = int(block.get("baseFeePerGas", 0) or 0)
    return fees_for(base_fee, tip, caps)
