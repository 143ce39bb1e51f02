"""What the signer's guard asks the chain: a token amount's value, and the wallet's balance.

Why here and handed to the guard as functions: the guard (:mod:`claudedex.wallet.guard`)
must stay independent of RPC clients, yet its caps need a swap's token input valued in the
quote asset at current reserves, and an approval bounded by what the wallet holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils.address import to_checksum_address

from claudedex.execution import calls
from claudedex.execution.routing import VenueRef, find_pair, pair_reserves


class ChainValuation:
    """``value(token, amount)`` in quote wei at the deepest pool's spot price (None: no
    pool); ``balance(token)`` of ``account`` in the token's base units."""

    def __init__(self, w3: Any, venues: Sequence[VenueRef], quote_token: str,
                 account: str, via: Sequence[str] = ()) -> None:
        self.w3 = w3
        self.venues = list(venues)
        self.quote = to_checksum_address(quote_token)
        self.account = to_checksum_address(account)
        self.via = [to_checksum_address(a) for a in via if a.lower() != self.quote.lower()]

    async def _spot(self, venue: VenueRef, token: str, other: str) -> tuple[int, int] | None:
        pair = await find_pair(self.w3, venue, token, other)
        if pair is None:
            return None
        r_token, r_other = await pair_reserves(self.w3, pair, token)
        return (r_token, r_other) if r_token > 0 and r_other > 0 else None

    async def value(self, token: str, amount: int) -> int | None:
        """Spot value (reserve ratio, no impact: the larger, so the stricter, figure), over
        the token's quote pools and, for the profile's other quote assets (a sell routed
        through USDC), through them: token -> USDC -> quote at both pools' spot prices."""
        best: int | None = None
        for venue in self.venues:
            direct = await self._spot(venue, token, self.quote)
            worths = [amount * direct[1] // direct[0]] if direct else []
            for mid in self.via:
                if mid.lower() == token.lower():
                    continue
                first = await self._spot(venue, token, mid)
                second = await self._spot(venue, mid, self.quote) if first else None
                if first and second:
                    worths.append(amount * first[1] * second[1] // (first[0] * second[0]))
            for worth in worths:
                best = worth if best is None else max(best, worth)
        return best

    async def balance(self, token: str) -> int:
        raw = await self.w3.eth.call({"to": to_checksum_address(token),
                                      "data": calls.erc20_balance_of(self.account)})
        return calls.decode_uint(bytes(raw))
