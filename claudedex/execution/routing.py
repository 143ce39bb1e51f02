"""Best route over the configured Uniswap-V2 venues, quoted from fresh reserves.

Why every venue every time: the same pair often trades on several V2 forks at different
prices; reading each pair's reserves (two ``eth_call``s) is cheap next to a bad fill.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address

from claudedex.amm import AmmError, expected_output
from claudedex.execution import calls

ZERO = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True, slots=True)
class VenueRef:
    """One V2 deployment execution may route through."""

    name: str
    factory: str
    router: str
    fee_bps: int = 30


@dataclass(frozen=True, slots=True)
class Quote:
    venue: VenueRef
    pair: str
    token_in: str
    token_out: str
    amount_in: int
    reserve_in: int
    reserve_out: int
    expected_out: int
    source: str = "v2"  # "v2" | "aggregator"
    tx: dict[str, Any] | None = None  # aggregator-built transaction, when source="aggregator"


async def eth_call(w3: Any, to: str, data: bytes) -> bytes:
    result = await w3.eth.call({"to": to_checksum_address(to), "data": data})
    return bytes(result)


# Pairs are CREATE2 contracts that never move or change tokens: once a factory returned a
# pair, and once a pair returned its token0, the answer is kept (no RPC on the hot path).
# Kept per connection: another chain (a test's, a restarted devnet) has other contracts at
# the same addresses.
_CACHES: weakref.WeakKeyDictionary[Any, tuple[dict[tuple[str, str, str], str],
                                              dict[str, str]]] = weakref.WeakKeyDictionary()


def _caches(w3: Any) -> tuple[dict[tuple[str, str, str], str], dict[str, str]]:
    provider = w3.provider
    found = _CACHES.get(provider)
    if found is None:
        found = _CACHES[provider] = ({}, {})
    return found


async def pair_reserves(w3: Any, pair: str, token_in: str) -> tuple[int, int]:
    """(reserve of token_in, reserve of the other token) of a V2 pair."""
    known = _caches(w3)[1]
    token0 = known.get(pair.lower())
    if token0 is None:
        token0_raw, reserves_raw = await asyncio.gather(
            eth_call(w3, pair, calls.TOKEN0), eth_call(w3, pair, calls.GET_RESERVES))
        token0 = known.setdefault(pair.lower(), calls.decode_address(token0_raw))
    else:
        reserves_raw = await eth_call(w3, pair, calls.GET_RESERVES)
    r0, r1 = calls.decode_reserves(reserves_raw)
    return (r0, r1) if token0.lower() == token_in.lower() else (r1, r0)


async def find_pair(w3: Any, venue: VenueRef, token_a: str, token_b: str) -> str | None:
    """The venue's pair for two tokens, or None (a found pair is remembered; none is not)."""
    a, b = sorted((token_a.lower(), token_b.lower()))
    key = (venue.factory.lower(), a, b)
    pairs = _caches(w3)[0]
    known = pairs.get(key)
    if known is not None:
        return known
    raw = await eth_call(w3, venue.factory, calls.get_pair(
        to_checksum_address(token_a), to_checksum_address(token_b)))
    pair = calls.decode_address(raw)
    if pair == ZERO:
        return None
    return pairs.setdefault(key, pair)


async def v2_quote(
    w3: Any, venue: VenueRef, token_in: str, token_out: str, amount_in: int,
    *, in_tax_bps: int = 0, out_tax_bps: int = 0,
) -> Quote | None:
    """Quote one venue; None when the pair does not exist or has no liquidity."""
    pair = await find_pair(w3, venue, token_in, token_out)
    if pair is None:
        return None
    reserve_in, reserve_out = await pair_reserves(w3, pair, token_in)
    try:
        out = expected_output(amount_in, reserve_in, reserve_out, venue.fee_bps,
                              in_tax_bps=in_tax_bps, out_tax_bps=out_tax_bps)
    except AmmError:
        return None
    if out <= 0:
        return None
    return Quote(venue, pair, to_checksum_address(token_in), to_checksum_address(token_out),
                 amount_in, reserve_in, reserve_out, out)


def pick_best(quotes: Sequence[Quote | None]) -> Quote | None:
    """Highest output; ties go to the earlier venue (configuration order)."""
    best: Quote | None = None
    for quote in quotes:
        if quote is not None and (best is None or quote.expected_out > best.expected_out):
            best = quote
    return best


async def best_v2_quote(
    w3: Any, venues: Sequence[VenueRef], token_in: str, token_out: str, amount_in: int,
    *, in_tax_bps: int = 0, out_tax_bps: int = 0, only_venue: str = "",
) -> Quote | None:
    chosen = [v for v in venues if not only_venue or v.name == only_venue] or list(venues)
    quotes = await asyncio.gather(*(
        v2_quote(w3, v, token_in, token_out, amount_in,
                 in_tax_bps=in_tax_bps, out_tax_bps=out_tax_bps)
        for v in chosen
    ))
    return pick_best(quotes)
