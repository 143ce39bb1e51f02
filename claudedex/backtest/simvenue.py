"""The backtest's venue: the kernel's orders fill on recorded reserves, taxes and gas.

Why a venue and not a second pipeline: the backtest runs the live kernel (strategy runner,
risk with in-flight accounting, approval queue, order state machine and journal, portfolio
and exits); only the last step of an order differs, as between :class:`ChainVenue` and
:class:`PaperVenue`. This venue is also where the replay's chain reads come from: the
planner quotes on the recorded reserves (:meth:`SimulatedVenue.routes`), the deadline
comes from the replay's clock through :attr:`SimulatedVenue.chain`, which also answers the
nonce count execution asks for at start (nothing is ever signed here).

Fill rule: an order placed while the pool's reserves are those of block ``b`` fills on the
first recorded reserves of that pool from block ``b + latency_blocks`` on. The default, 0,
fills on the reserves the order was planned on (the next candle's open, for candles): a
recording of a run that traded already holds that run's own swaps in its later reserves,
so filling there would count the order's price impact twice. The output is Uniswap's exact
``getAmountOut`` with the recorded transfer taxes (the token's latest report) applied to
what reaches the pair and what leaves it. A fill below the order's min-out, or after its
deadline, reverts as on chain: nothing is delivered, the gas is spent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from claudedex.addresses import checksum
from claudedex.amm import AmmError, expected_output
from claudedex.clock import Clock
from claudedex.domain import Side
from claudedex.events import BlockSeen, Event, PairDiscovered, PriceTicked, RiskAssessed
from claudedex.execution.order import Order
from claudedex.execution.routes import Route, quote_path_from
from claudedex.execution.routing import VenueRef
from claudedex.execution.states import OrderState
from claudedex.execution.venue import Fill, VenueContext

BPS = 10_000


@dataclass(frozen=True, slots=True)
class SimConfig:
    """How the simulated chain fills: pool fee, latency, gas.

    ``gas_price_wei`` is used until a recorded ``block`` line gives a base fee; 0 for
    candles (a CEX-style series has no gas).
    """

    fee_bps: int = 30
    latency_blocks: int = 0
    gas_used: int = 150_000
    gas_price_wei: int = 5 * 10**9


@dataclass(frozen=True, slots=True)
class SimFill:
    """One order the venue settled (base units; wei for gas); ``reverted``: nothing delivered."""

    order_id: str
    token: str
    pair: str
    side: Side
    ts: float
    block: int
    amount_in: int
    amount_out: int
    min_out: int
    gas_cost_wei: int
    fee_paid: int  # in the input token (quote for buys, token for sells)
    reverted: bool
    detail: str = ""


class _Eth:
    """The two chain reads execution makes outside its venue: a nonce count and the head."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def get_transaction_count(self, address: str, tag: str = "latest") -> int:
        return 0  # nothing is ever signed on a simulated chain

    async def get_block(self, tag: str = "latest") -> dict[str, int]:
        return {"number": self._clock.block(), "timestamp": int(self._clock.now())}


class SimulatedChain:
    """Stands where a web3 connection stands in the kernel; reads come from the replay."""

    def __init__(self, clock: Clock) -> None:
        self.eth = _Eth(clock)


@dataclass(slots=True)
class _Pool:
    token: str
    reserve_token: int
    reserve_quote: int
    block: int


@dataclass(slots=True)
class _Waiting:
    pair: str
    due: int
    future: asyncio.Future[_Pool]


@dataclass(slots=True)
class SimulatedVenue:
    """A :class:`~claudedex.execution.venue.Venue` over recorded reserves (see module doc).

    The replay driver calls :meth:`observe` with every recorded event before the kernel
    sees it; fills waiting for their block are released there.
    """

    clock: Clock
    config: SimConfig = field(default_factory=SimConfig)
    venue_name: str = "simulated"
    name: str = "simulated"
    signs: bool = False
    pools: dict[str, _Pool] = field(default_factory=dict)  # pair (lower) -> latest reserves
    token_pairs: dict[str, list[str]] = field(default_factory=dict)  # token -> its pools
    taxes: dict[str, tuple[int, int]] = field(default_factory=dict)  # token -> buy, sell bps
    base_fee_wei: int | None = None
    fills: list[SimFill] = field(default_factory=list)
    waiting: list[_Waiting] = field(default_factory=list)
    chain: SimulatedChain | None = None

    def __post_init__(self) -> None:
        self.chain = SimulatedChain(self.clock)

    # -- the recording ----------------------------------------------------------------------

    def observe(self, ev: Event) -> None:
        """Take a recorded event's reserves, taxes or base fee; release fills now due."""
        if isinstance(ev, PriceTicked):
            key = ev.pair.lower()
            pool = self.pools.get(key)
            if pool is None:
                return  # a pair never discovered: no token to trade against it
            pool.reserve_token, pool.reserve_quote = ev.reserve_token, ev.reserve_quote
            pool.block = ev.block_number
            if self.waiting:
                self._release(key, pool)
        elif isinstance(ev, PairDiscovered):
            key, token = ev.pair.pair.lower(), ev.pair.token.lower()
            self.pools.setdefault(key, _Pool(token, 0, 0, 0))
            pairs = self.token_pairs.setdefault(token, [])
            if key not in pairs:
                pairs.append(key)
        elif isinstance(ev, RiskAssessed):
            rep = ev.report
            self.taxes[rep.token.lower()] = (rep.buy_tax_bps or 0, rep.sell_tax_bps or 0)
        elif isinstance(ev, BlockSeen) and ev.base_fee_wei:
            self.base_fee_wei = ev.base_fee_wei

    def _release(self, pair: str, pool: _Pool) -> None:
        keep: list[_Waiting] = []
        for w in self.waiting:
            if w.pair == pair and pool.block >= w.due:
                if not w.future.done():
                    w.future.set_result(_Pool(pool.token, pool.reserve_token,
                                              pool.reserve_quote, pool.block))
            else:
                keep.append(w)
        self.waiting = keep

    def in_flight(self) -> int:
        """Orders waiting for their fill block (the replay is idle while only these wait)."""
        return len(self.waiting)

    def abandon(self) -> None:
        """The recording ended: orders still waiting never reach a block."""
        for w in self.waiting:
            w.future.cancel()
        self.waiting.clear()

    # -- the planner's reserve source -------------------------------------------------------

    def routes(self, token_in: str, token_out: str, amount_in: int, *,
               in_tax_bps: int = 0, out_tax_bps: int = 0) -> list[Route | None]:
        """A direct route on each of the token's recorded pools, on their current reserves
        (the planner chooses the best within its price-impact limit, as live over venues);
        the route's venue names its pool (``router``), where :meth:`fill` settles."""
        buy = token_out.lower() in self.token_pairs
        path = (checksum(token_in), checksum(token_out))
        out: list[Route | None] = []
        for pair in self.token_pairs.get((token_out if buy else token_in).lower(), []):
            pool = self.pools[pair]
            hop = ((pool.reserve_quote, pool.reserve_token) if buy
                   else (pool.reserve_token, pool.reserve_quote))
            ref = VenueRef(self.venue_name, "", pair, self.config.fee_bps)
            out.append(quote_path_from(ref, path, (pair,), (hop,), amount_in,
                                       in_tax_bps=in_tax_bps, out_tax_bps=out_tax_bps))
        return out

    # -- the Venue protocol -------------------------------------------------------------------

    async def prepare(self, order: Order, ctx: VenueContext) -> None:
        return None

    async def fill(self, order: Order, ctx: VenueContext, prepared: Any = None) -> Fill | None:
        ctx.precheck()
        pair = order.router.lower()  # the pool the planner chose
        pool = self.pools.get(pair)
        if pool is None:
            await ctx.record(order, OrderState.FAILED, "simulated: no recorded pool")
            return None
        placed = self.clock.block()
        if self.config.latency_blocks > 0:
            future: asyncio.Future[_Pool] = asyncio.get_running_loop().create_future()
            self.waiting.append(_Waiting(pair, placed + self.config.latency_blocks, future))
            pool = await future
        return await self._settle(order, ctx, pair, pool)

    async def _settle(self, order: Order, ctx: VenueContext, pair: str,
                      pool: _Pool) -> Fill | None:
        buy = order.side is Side.BUY
        buy_tax, sell_tax = self.taxes.get(order.token.lower(), (0, 0))
        r_in, r_out = ((pool.reserve_quote, pool.reserve_token) if buy
                       else (pool.reserve_token, pool.reserve_quote))
        gas = self.config.gas_used * (self.base_fee_wei if self.base_fee_wei is not None
                                      else self.config.gas_price_wei)
        order.block_number, order.gas_cost_wei = pool.block, gas
        try:
            out = expected_output(order.amount_in, r_in, r_out, self.config.fee_bps,
                                  in_tax_bps=0 if buy else sell_tax,
                                  out_tax_bps=buy_tax if buy else 0)
        except AmmError:
            out = 0
        reaching = order.amount_in * (BPS - (0 if buy else sell_tax)) // BPS
        fee = reaching * self.config.fee_bps // BPS
        late = order.deadline and self.clock.now() > order.deadline
        why = ("deadline passed" if late else
               f"output {out} below min-out {order.amount_out_min}"
               if out < max(order.amount_out_min, 1) else "")
        self.fills.append(SimFill(order.id, order.token.lower(), pair, order.side,
                                  self.clock.now(), pool.block, order.amount_in,
                                  0 if why else out, order.amount_out_min, gas,
                                  0 if why else fee, bool(why), why))
        if why:
            await ctx.record(order, OrderState.FAILED,
                             f"reverted on the simulated chain in block {pool.block}: {why}")
            return None
        return Fill(out, gas, f"simulated fill in block {pool.block}: received {out}")


__all__ = ["SimConfig", "SimFill", "SimulatedChain", "SimulatedVenue"]
