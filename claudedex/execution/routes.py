"""Routes through the profile's quote assets, each with its price impact, and the limit.

Why: a token's deep pool is often against a stablecoin while its WETH pool is a dust pool.
Quoting only ``WETH -> TOKEN`` then fills a 0.1 ETH buy at 90 % price impact (a 0.01 ETH
pool). Every swap is quoted on every venue both directly and through each other quote asset
the profile knows (``WETH -> USDC -> TOKEN``, a Router02 path on one venue), and the route
taken must move the price by no more than the profile's limit; otherwise nothing is sent
and the refusal carries the numbers.

Price impact here is the whole route's shortfall against its spot price (the product of
the hops' reserve ratios), pool fees included, transfer taxes excluded (they are measured
and bounded separately), in bps rounded up so it is never understated. It is computed from
the same integer reserves the router's ``getAmountsOut`` uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from claudedex.addresses import checksum
from claudedex.amm import BPS, AmmError, expected_output, get_amount_out
from claudedex.errors import ChainError
from claudedex.execution.routing import VenueRef, find_pair, pair_reserves


class NoRoute(ChainError):
    """No configured venue has a pool with liquidity on any route for this trade."""


class PriceImpactTooHigh(ChainError):
    """Every route would move the price past the limit: nothing is sent.

    ``impact_bps`` is the lowest impact any route offers; ``limit_bps`` the limit applied.
    """

    def __init__(self, message: str, impact_bps: int, limit_bps: int) -> None:
        super().__init__(message)
        self.impact_bps = impact_bps
        self.limit_bps = limit_bps


@dataclass(frozen=True, slots=True)
class Route:
    """One Router02 path on one venue, quoted for one input amount (base units)."""

    venue: VenueRef
    path: tuple[str, ...]  # checksummed token addresses, input first
    pairs: tuple[str, ...]  # one pair per hop
    reserves: tuple[tuple[int, int], ...]  # (reserve in, reserve out) per hop
    amount_in: int
    expected_out: int  # after the pools' fees and the token's transfer taxes
    impact_bps: int  # pools' fees included, taxes excluded, rounded up

    @property
    def hops(self) -> int:
        return len(self.pairs)

    def describe(self) -> str:
        """``uniswap WETH>0xA0b8>0x1234`` style: venue and the path's short addresses."""
        return f"{self.venue.name} " + ">".join(a[:6] for a in self.path)


def route_impact_bps(amount_in: int, reserves: Sequence[tuple[int, int]], fee_bps: int) -> int:
    """Shortfall of the route's output against its spot output, in bps (ceil).

    Spot output is ``amount_in * prod(r_out) / prod(r_in)``. Raises
    :class:`~claudedex.amm.AmmError` on an empty pool.
    """
    if amount_in <= 0:
        return 0
    out, spot_num, spot_den = amount_in, amount_in, 1
    for r_in, r_out in reserves:
        out = get_amount_out(out, r_in, r_out, fee_bps)
        spot_num *= r_out
        spot_den *= r_in
    short = spot_num - out * spot_den
    return -(-short * BPS // spot_num)


def quote_path_from(venue: VenueRef, path: Sequence[str], pairs: Sequence[str],
                    reserves: Sequence[tuple[int, int]], amount_in: int, *,
                    in_tax_bps: int = 0, out_tax_bps: int = 0) -> Route | None:
    """A route from known reserves (pure); None when a hop has no liquidity or yields 0."""
    out = amount_in
    last = len(reserves) - 1
    try:
        for i, (r_in, r_out) in enumerate(reserves):
            out = expected_output(out, r_in, r_out, venue.fee_bps,
                                  in_tax_bps=in_tax_bps if i == 0 else 0,
                                  out_tax_bps=out_tax_bps if i == last else 0)
            if out <= 0:
                return None
        impact = route_impact_bps(amount_in, reserves, venue.fee_bps)
    except AmmError:
        return None
    return Route(venue, tuple(path), tuple(pairs), tuple(reserves), amount_in, out, impact)


async def quote_path(w3: object, venue: VenueRef, path: Sequence[str], amount_in: int, *,
                     in_tax_bps: int = 0, out_tax_bps: int = 0) -> Route | None:
    """Quote ``path`` on ``venue`` from fresh reserves; None if a pair is missing or empty."""
    hops = list(zip(path[:-1], path[1:], strict=True))
    pairs = await asyncio.gather(*(find_pair(w3, venue, a, b) for a, b in hops))
    if any(p is None for p in pairs):
        return None
    found = [p for p in pairs if p is not None]
    reserves = await asyncio.gather(*(pair_reserves(w3, p, a)
                                      for p, (a, _b) in zip(found, hops, strict=True)))
    return quote_path_from(venue, path, found, list(reserves), amount_in,
                           in_tax_bps=in_tax_bps, out_tax_bps=out_tax_bps)


def candidate_paths(token_in: str, token_out: str, via: Sequence[str]) -> list[tuple[str, ...]]:
    """The direct path, then one path through each quote asset that is neither end."""
    a, b = checksum(token_in), checksum(token_out)
    paths: list[tuple[str, ...]] = [(a, b)]
    ends = {a.lower(), b.lower()}
    for mid in via:
        m = checksum(mid)
        if m.lower() not in ends and (a, m, b) not in paths:
            paths.append((a, m, b))
    return paths


def choose(routes: Sequence[Route | None], limit_bps: int) -> Route:
    """The best output among routes within ``limit_bps``; ties go to fewer hops, then the
    earlier venue. Raises :class:`PriceImpactTooHigh` (with the lowest impact on offer)
    when every route is over the limit, :class:`NoRoute` when there is no route."""
    live = [r for r in routes if r is not None]
    if not live:
        raise NoRoute("no venue has liquidity on any route")
    within = [r for r in live if r.impact_bps <= limit_bps]
    if not within:
        gentlest = min(live, key=lambda r: (r.impact_bps, -r.expected_out))
        raise PriceImpactTooHigh(
            f"price impact {gentlest.impact_bps} bps is over the limit {limit_bps} bps "
            f"(lowest of {len(live)} route(s): {gentlest.describe()}, "
            f"{gentlest.amount_in} in for {gentlest.expected_out} out)",
            gentlest.impact_bps, limit_bps)
    best = within[0]
    for r in within[1:]:
        if (r.expected_out, -r.hops) > (best.expected_out, -best.hops):
            best = r
    return best


async def best_route(w3: object, venues: Sequence[VenueRef], token_in: str, token_out: str,
                     amount_in: int, *, via: Sequence[str] = (), limit_bps: int,
                     in_tax_bps: int = 0, out_tax_bps: int = 0) -> Route:
    """Quote every venue on every candidate path and :func:`choose` within the limit."""
    paths = candidate_paths(token_in, token_out, via)
    quotes = await asyncio.gather(*(
        quote_path(w3, v, p, amount_in, in_tax_bps=in_tax_bps, out_tax_bps=out_tax_bps)
        for v in venues for p in paths))
    return choose(quotes, limit_bps)


__all__ = ["NoRoute", "PriceImpactTooHigh", "Route", "best_route", "candidate_paths", "choose",
           "quote_path", "quote_path_from", "route_impact_bps"]
