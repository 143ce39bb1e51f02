"""Venues: where a journaled order becomes a fill. The one thing a mode changes.

Why one interface: the order state machine, the journal, approvals, risk, portfolio, exits
and the audit trail must be the same code in every mode, so a paper or backtest result is
what live would have done. Only the last step differs:

- :class:`ChainVenue` (devnet, live) signs through the guarded signer, broadcasts, and reads
  the fill from the receipt's logs.
- :class:`~claudedex.execution.paper.PaperVenue` (paper) runs the exact router call the
  live engine would send, from the paper account, in ``eth_simulateV1`` on the live
  chain's latest state, and reads the fill from the simulated logs: nothing is signed or
  sent, the account's nonce never moves.
- The backtest's ``SimulatedVenue`` fills on recorded reserves (:mod:`claudedex.backtest`).

A venue returns a :class:`Fill` or ``None`` after journaling why there is none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from claudedex.domain import Side
from claudedex.errors import ChainError
from claudedex.execution import calls, fills
from claudedex.execution.order import Order
from claudedex.execution.states import OrderState

if TYPE_CHECKING:
    from claudedex.execution.txflow import Outcome, TxFlow

log = structlog.get_logger(__name__)
S = OrderState
# The paper account when the profile names none: an address nobody holds a key for.
PAPER_ACCOUNT = to_checksum_address(keccak(b"claudedex paper account")[-20:])


@dataclass(frozen=True, slots=True)
class Fill:
    """What a venue delivered for one swap (base units; wei for gas)."""

    amount_out: int
    gas_cost_wei: int = 0
    detail: str = ""


class Record(Protocol):
    async def __call__(self, order: Order, state: OrderState, detail: str = "") -> None: ...


@dataclass(frozen=True, slots=True)
class VenueContext:
    """What the execution engine lends a venue for one order."""

    w3: Any
    account: str
    weth: str
    record: Record
    precheck: Callable[[], None]  # halt + latest verdict; raises to stop before signing
    flow: TxFlow | None = None
    intent: Callable[[Order], Awaitable[None]] | None = None  # journal a new order's intent
    # a reverted swap is left ``reverted`` for the engine to confirm (it may yet land)
    confirm_reverts: bool = False


class Venue(Protocol):
    """Takes a ``journaled`` order to a fill, or journals why not and returns None.

    ``prepare`` runs while execution journals the planned order (nothing irreversible may
    happen in it); its result is handed to ``fill``.
    """

    name: str
    signs: bool  # True when the venue signs and broadcasts (recovery must watch its orders)

    async def prepare(self, order: Order, ctx: VenueContext) -> Any: ...

    async def fill(self, order: Order, ctx: VenueContext, prepared: Any = None) -> Fill | None:
        ...


class ChainVenue:
    """Devnet and live: approve if needed, estimate gas, sign, broadcast, read the receipt."""

    name = "chain"
    signs = True

    async def prepare(self, order: Order, ctx: VenueContext) -> int | None:
        """A buy's gas limit (a sell is estimated after its allowance is in place)."""
        return await estimate_gas(ctx, order) if order.side is Side.BUY else None

    async def fill(self, order: Order, ctx: VenueContext, prepared: Any = None) -> Fill | None:
        """Sign, send and settle ``order``; a sell's fill carries the gas of the allowance
        transactions it needed too (wei), so the book pays what the wallet paid."""
        approvals_gas = await self._ensure_allowance(order, ctx) if order.side is Side.SELL else 0
        gas = prepared if isinstance(prepared, int) else await estimate_gas(ctx, order)
        ctx.precheck()
        assert ctx.flow is not None, "ChainVenue needs the engine's TxFlow"
        fill = await settle(order, ctx, await ctx.flow.submit(order, gas))
        if fill is None or not approvals_gas:
            return fill
        return Fill(fill.amount_out, fill.gas_cost_wei + approvals_gas,
                    f"{fill.detail}; gas includes the approval's {approvals_gas} wei")

    async def _ensure_allowance(self, order: Order, ctx: VenueContext) -> int:
        """SafeERC20 semantics: reset a smaller non-zero allowance to 0 first (USDT-style
        tokens revert otherwise), treat a missing return value as success and ``false`` as
        failure (checked by simulating the call before signing it)."""
        raw = await ctx.w3.eth.call({"to": to_checksum_address(order.token),
                                     "data": calls.erc20_allowance(ctx.account, order.router)})
        current = calls.decode_uint(bytes(raw))
        if current >= order.amount_in:
            return 0
        steps = ([(":approve-reset", 0)] if current > 0 else []) + [(":approve", order.amount_in)]
        gas = 0
        for suffix, amount in steps:
            gas += await self._approve(order, ctx, suffix, amount)
        return gas

    async def _approve(self, order: Order, ctx: VenueContext, suffix: str, amount: int) -> int:
        """Sign and send one allowance; returns its gas cost (wei)."""
        from web3.exceptions import Web3Exception  # on a chain only: web3 is slow to import

        data = calls.erc20_approve(order.router, amount)
        approve = Order(id=f"{order.id}{suffix}", proposal_id=order.proposal_id,
                        side=order.side, token=order.token, amount_in=amount,
                        kind="approve", venue=order.venue, router=order.router,
                        to=to_checksum_address(order.token), data="0x" + data.hex())
        assert ctx.intent is not None and ctx.flow is not None, "ChainVenue needs the engine"
        await ctx.intent(approve)
        for state in (S.RISK_APPROVED, S.OPERATOR_APPROVED, S.JOURNALED):
            await ctx.record(approve, state, f"allowance {amount} for {order.id}")
        try:
            returned = bytes(await ctx.w3.eth.call({"from": ctx.account, "to": approve.to,
                                                    "data": approve.data}))
            if len(returned) >= 32 and int.from_bytes(returned[:32], "big") == 0:
                raise ChainError("the token's approve returned false")
            outcome = await ctx.flow.submit(approve, await estimate_gas(ctx, approve))
        except (ChainError, Web3Exception, ValueError) as exc:
            if approve.state in (S.JOURNALED,):  # nothing was signed: close it, say why
                await ctx.record(approve, S.FAILED, f"approve refused: {exc}"[:300])
            raise ChainError(f"approval for the router failed: {exc}") from exc
        await settle(approve, ctx, outcome)
        if approve.state is not S.FILLED:
            raise ChainError(f"approval for the router failed: {approve.detail}")
        return approve.gas_cost_wei


async def estimate_gas(ctx: VenueContext, order: Order) -> int:
    estimate = await ctx.w3.eth.estimate_gas({
        "from": ctx.account, "to": to_checksum_address(order.to), "data": order.data,
        "value": order.value})
    # Headroom: the estimate runs in a block with the same timestamp, so it misses the
    # pair's first-in-block price-accumulator writes (two cold SSTOREs, ~45k gas).
    return int(estimate) * 13 // 10 + 60_000


async def settle(order: Order, ctx: VenueContext, outcome: Outcome) -> Fill | None:
    """A receipt into a fill; a revert is journaled ``failed`` (the gas is spent), or left
    ``reverted`` for the engine's confirmations when ``ctx.confirm_reverts`` (a swap)."""
    receipt = outcome.receipt
    if receipt is None:
        return None  # the flow already journaled why it failed
    if order.state is S.REVERTED or int(receipt["status"]) != 1:
        if ctx.confirm_reverts and order.kind == "swap" and order.block_hash:
            return None
        await ctx.record(order, S.FAILED, f"reverted on chain in block {order.block_number}")
        return None
    order.gas_cost_wei = fills.gas_cost(receipt)
    if order.kind == "approve":
        await ctx.record(order, S.FILLED, "allowance set")
        return None
    if order.side is Side.BUY:
        out = fills.tokens_received(receipt, order.token, ctx.account)
    else:
        out = fills.eth_unwrapped(receipt, ctx.weth, order.router)
    return Fill(out, order.gas_cost_wei, f"received {out}")


def paper_account(address: str) -> str:
    """The paper account: the signer's address, or :data:`PAPER_ACCOUNT` for none (0x0)."""
    return PAPER_ACCOUNT if int(address, 16) == 0 else to_checksum_address(address)


__all__ = ["PAPER_ACCOUNT", "ChainVenue", "Fill", "Venue", "VenueContext",
           "estimate_gas", "paper_account", "settle"]
