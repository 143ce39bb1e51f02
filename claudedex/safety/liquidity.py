"""Check 5: pool depth, who holds the LP tokens, and the price impact of our trade size.

Why LP ownership matters more than depth: a deep pool whose LP tokens sit in the deployer's
wallet can be emptied in one removeLiquidity transaction; burned LP cannot. LP held by a
contract (a "locker") is examined by simulation in lplock.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from claudedex.amm import AmmError, price_impact_bps
from claudedex.domain import Finding, Severity
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import ZERO_ADDRESS, addr_word
from claudedex.safety.controllers import DEAD
from claudedex.safety.lplock import lp_contract_findings

GET_RESERVES = bytes.fromhex("0902f1ac")
TOKEN0 = bytes.fromhex("0dfe1681")
TOTAL_SUPPLY = bytes.fromhex("18160ddd")
BALANCE_OF = bytes.fromhex("70a08231")


@dataclass(frozen=True)
class Reserves:
    token: int
    quote: int


async def read_reserves(reader: ChainReader, pair: str, token: str) -> Reserves | None:
    """The pair's reserves oriented as (token, quote); None when the pair is unreadable."""
    raw, token0 = await asyncio.gather(reader.call(pair, GET_RESERVES),
                                       reader.call_word(pair, TOKEN0))
    if raw is None or len(raw) < 64 or token0 is None:
        return None
    r0, r1 = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big")
    if token0 == int(token, 16):
        return Reserves(r0, r1)
    return Reserves(r1, r0)


async def balance_of(reader: ChainReader, token: str, who: str) -> int:
    return await reader.call_word(token, BALANCE_OF + addr_word(who)) or 0


async def liquidity_findings(
    reader: ChainReader,
    pair: str,
    reserves: Reserves,
    amount_in: int,
    holders: dict[str, str],
    *,
    min_liquidity_quote: int,
    fee_bps: int = 30,
    head: dict[str, Any] | None = None,
    from_block: int = 0,
) -> tuple[Finding, ...]:
    """Depth, LP burned/held, price impact; ``holders`` maps EOA controllers to roles.

    With ``head`` (the block judged), contracts holding LP since ``from_block`` are examined
    as lockers (lplock.py)."""
    f: list[Finding] = []
    if reserves.quote < min_liquidity_quote:
        f.append(Finding("LOW_LIQUIDITY", Severity.MEDIUM,
                         f"only {reserves.quote} quote base units in the pool",
                         {"reserve_quote": str(reserves.quote)}))
    try:
        impact = price_impact_bps(amount_in, reserves.quote, reserves.token, fee_bps)
    except AmmError:
        impact = 10_000
    if impact > 500:
        f.append(Finding("HIGH_PRICE_IMPACT", Severity.MEDIUM,
                         f"buying {amount_in} moves the price {impact / 100:.2f}%",
                         {"impact_bps": str(impact), "amount_in": str(amount_in)}))
    who = [DEAD, ZERO_ADDRESS, *holders]
    total = await reader.call_word(pair, TOTAL_SUPPLY)
    balances = await asyncio.gather(*(balance_of(reader, pair, a) for a in who))
    if not total:
        return tuple(f)
    burned = balances[0] + balances[1]
    burned_bps = burned * 10_000 // total
    if burned_bps >= 9500:
        f.append(Finding("LP_BURNED", Severity.INFO,
                         f"{burned_bps / 100:.2f}% of LP tokens are burned",
                         {"burned_bps": str(burned_bps)}))
    for (addr, role), held in zip(holders.items(), balances[2:], strict=True):
        share = held * 10_000 // total
        if share >= 5000:
            # High, not medium: whoever holds the LP can pull the pool at any block, which
            # is the rug every simulation of today's code misses.
            f.append(Finding("LP_UNLOCKED", Severity.HIGH,
                             f"the {role} {addr} holds {share / 100:.2f}% of the LP tokens and "
                             "can withdraw the liquidity at any time",
                             {"holder": addr, "role": role, "share_bps": str(share)}))
    if head is not None and burned_bps < 9500:
        f += await lp_contract_findings(reader, pair, total, holders, head,
                                        from_block=from_block)
    return tuple(f)
