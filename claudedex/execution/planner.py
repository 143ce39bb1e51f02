"""Turn an approved order into one exact router call: route, amountOutMin, deadline.

Why here: the planner is the one step every order passes before it is journaled and signed
or simulated (console approvals, strategies, ``claudedex trade``, paper, exits), so the
price-impact limit is enforced here, on the route actually sent
(:mod:`claudedex.execution.routes`). Exits have their own, wider limit
(``limits.max_exit_price_impact_bps``) so a stop-loss in a thinned pool still gets out.

Why at send time and in integers: see :mod:`claudedex.execution.slippage`. An aggregator
route is taken only when it beats the best direct V2 quote *and* its calldata is a Router02
swap to us whose amountOutMin is at least the bound the direct route guarantees, so a
misbehaving aggregator can never loosen our slippage protection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from eth_utils.address import to_checksum_address

from claudedex.addresses import checksum
from claudedex.domain import Side
from claudedex.errors import ChainError
from claudedex.execution import calls
from claudedex.execution.aggregator import NATIVE, AggregatorClient, AggregatorError
from claudedex.execution.order import Order
from claudedex.execution.routes import NoRoute, PriceImpactTooHigh, Route, best_route, choose
from claudedex.execution.routing import Quote, VenueRef
from claudedex.execution.slippage import amount_out_min, chain_deadline, effective_slippage_bps
from claudedex.wallet.guard import ROUTER_SELECTORS

log = structlog.get_logger(__name__)


class PriceMoved(ChainError):
    """The pool moved so that the approved min-out can no longer be met: nothing is sent."""


@dataclass(frozen=True, slots=True)
class Taxes:
    """Transfer taxes the safety layer measured (bps).

    The fee-on-transfer router functions are used unless the token was measured untaxed:
    they check min-out against what actually arrives, so a token that takes a fee nobody
    measured (no report, a tax switched on since) reverts instead of filling short, and a
    taxed sell cannot fail ``UniswapV2: K`` after its approval was mined.
    """

    buy_bps: int = 0
    sell_bps: int = 0
    measured: bool = False  # both legs measured by a round trip (a report with both taxes)

    @classmethod
    def from_report(cls, buy_bps: int | None, sell_bps: int | None) -> Taxes:
        return cls(buy_bps or 0, sell_bps or 0,
                   measured=buy_bps is not None and sell_bps is not None)

    @property
    def fee_on_transfer(self) -> bool:
        return not self.measured or bool(self.buy_bps or self.sell_bps)


class ReserveSource(Protocol):
    """Where a replay's planner reads its routes: the backtest's simulated venue."""

    def routes(self, token_in: str, token_out: str, amount_in: int, *,
               in_tax_bps: int = 0, out_tax_bps: int = 0) -> list[Route | None]: ...


class Planner:
    def __init__(self, w3: Any, venues: Sequence[VenueRef], quote_token: str, account: str,
                 *, max_slippage_bps: int, deadline_s: int = 120,
                 aggregator: AggregatorClient | None = None,
                 max_impact_bps: int = 10_000, via: Sequence[str] = ()) -> None:
        self.w3 = w3
        self.venues = list(venues)
        self.weth = to_checksum_address(quote_token)
        self.account = account
        self.max_slippage_bps = max_slippage_bps
        self.deadline_s = deadline_s
        self.aggregator = aggregator
        self.max_impact_bps = max_impact_bps  # orders may carry a wider one (exits)
        self.via = [to_checksum_address(a) for a in via]  # other quote assets to route through
        self.reserves: ReserveSource | None = None  # a backtest's venue (recorded reserves)

    async def route(self, order: Order, taxes: Taxes = Taxes()) -> Route:
        """The best route within the order's price-impact limit, from fresh reserves.

        Raises :class:`PriceImpactTooHigh` (impact vs limit in the message) or
        :class:`NoRoute`; reads the chain only.
        """
        buy = order.side is Side.BUY
        token = checksum(order.token)
        token_in, token_out = (self.weth, token) if buy else (token, self.weth)
        limit = order.impact_cap_bps or self.max_impact_bps
        try:
            if self.reserves is not None:  # a replay: the venue holds the recorded reserves
                return choose(self.reserves.routes(
                    token_in, token_out, order.amount_in, in_tax_bps=0 if buy else taxes.sell_bps,
                    out_tax_bps=taxes.buy_bps if buy else 0), limit)
            return await best_route(self.w3, self.venues, token_in, token_out,
                                    order.amount_in, via=self.via, limit_bps=limit,
                                    in_tax_bps=0 if buy else taxes.sell_bps,
                                    out_tax_bps=taxes.buy_bps if buy else 0)
        except NoRoute as exc:
            raise NoRoute(f"no venue has liquidity for {token_in} -> {token_out}") from exc
        except PriceImpactTooHigh as exc:
            side = "buy" if buy else "sell"
            raise PriceImpactTooHigh(f"{side} of {order.amount_in} refused: {exc}",
                                     exc.impact_bps, exc.limit_bps) from exc

    async def plan(self, order: Order, taxes: Taxes = Taxes()) -> Quote:
        """Fill in the order's route, limits and calldata from fresh reserves.

        Raises :class:`PriceImpactTooHigh`, :class:`NoRoute`, :class:`PriceMoved`.
        """
        buy = order.side is Side.BUY
        if self.reserves is not None:  # a replay's reads are memory: nothing to overlap
            route = await self.route(order, taxes)
            deadline = await chain_deadline(self.w3, self.deadline_s)
        else:  # one round trip: quotes and the chain clock
            route, deadline = await asyncio.gather(
                self.route(order, taxes), chain_deadline(self.w3, self.deadline_s))
        best = Quote(route.venue, route.pairs[0], route.path[0], route.path[-1],
                     route.amount_in, route.reserves[0][0], route.reserves[0][1],
                     route.expected_out)
        order.price_impact_bps = route.impact_bps
        fot = taxes.fee_on_transfer
        cap = order.slippage_cap_bps or self.max_slippage_bps
        minimum = amount_out_min(best.expected_out, order.slippage_bps, cap)
        if order.approved_min_out:
            if best.expected_out < order.approved_min_out:
                raise PriceMoved(
                    f"the market moved past the approved price: {best.venue.name} now gives "
                    f"{best.expected_out}, the approval's min-out is {order.approved_min_out}")
            minimum = max(minimum, order.approved_min_out)  # never below what was approved
        path = list(route.path)
        if buy:
            data = calls.swap_exact_eth_for_tokens(minimum, path, self.account, deadline,
                                                   fee_on_transfer=fot)
        else:
            data = calls.swap_exact_tokens_for_eth(order.amount_in, minimum, path, self.account,
                                                   deadline, fee_on_transfer=fot)
        order.venue, order.router, order.to = best.venue.name, best.venue.router, best.venue.router
        order.data, order.value = "0x" + data.hex(), order.amount_in if buy else 0
        order.expected_out, order.amount_out_min = best.expected_out, minimum
        order.deadline = deadline
        order.fee_on_transfer = fot
        order.slippage_bps = effective_slippage_bps(order.slippage_bps, cap)
        if self.aggregator is not None and not fot:
            await self._try_aggregator(order, best, path)
        return best

    async def _try_aggregator(self, order: Order, best: Quote, path: Sequence[str]) -> None:
        assert self.aggregator is not None
        buy = order.side is Side.BUY
        src, dst = (NATIVE, order.token) if buy else (order.token, NATIVE)
        try:
            swap = await self.aggregator.swap(src, dst, order.amount_in, self.account,
                                              order.slippage_bps)
        except AggregatorError as exc:
            log.warning("execution.aggregator_unavailable", error=str(exc))
            return
        if swap.dst_amount <= best.expected_out:
            return
        routers = {v.router.lower(): v for v in self.venues}
        venue = routers.get(swap.to.lower())
        if venue is None or not self._acceptable(swap.data, order, path):
            log.warning("execution.aggregator_refused", to=swap.to, order=order.id)
            return
        if swap.value != order.value:
            return
        order.venue, order.router, order.to, order.data = f"aggregator:{venue.name}", \
            venue.router, venue.router, swap.data
        order.expected_out = swap.dst_amount

    def _acceptable(self, data_hex: str, order: Order, path: Sequence[str]) -> bool:
        """A Router02 swap to us, same path, amountOutMin >= our direct-route bound."""
        data = bytes.fromhex(data_hex.removeprefix("0x"))
        known = ROUTER_SELECTORS.get(data[:4])
        if known is None or not known[0].startswith("swapExact"):
            return False
        name, types, to_index = known
        # eth-abi (20 ms with its grammar parser) only for an aggregator's calldata: a
        # replay has no aggregator and never imports it
        from eth_abi.abi import decode as abi_decode

        try:
            args = abi_decode(types, data[4:])
        except Exception:  # noqa: BLE001  # eth-abi raises many decoder types; all mean "bad"
            return False
        min_index = 0 if "ETHFor" in name else 1
        got_path = [to_checksum_address(a) for a in args[to_index - 1]]
        return (to_checksum_address(args[to_index]) == self.account and got_path == list(path)
                and int(args[min_index]) >= order.amount_out_min
                and (min_index == 0 or int(args[0]) == order.amount_in))
