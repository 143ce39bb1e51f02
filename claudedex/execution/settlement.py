"""After the send: a fill booked and confirmed to finality, or an order followed to its end.

Why apart from the engine: the engine decides, plans and sends; once a transaction may
exist, other rules hold, and they hold the same way after a crash (recovery), a journal
failure or a reorg: the order is never re-signed and never marked failed blindly; it is
watched by its journaled hash and nonce until a receipt settles it; a fill is final only
after the profile's confirmations (``chain.confirmations``), and a reorg of its block
watches the same signed transaction again (re-mined, rebroadcast, or failed).
"""

from __future__ import annotations

from typing import Any

from claudedex.bus import EventBus
from claudedex.events import AlertRaised, OrderFilled
from claudedex.execution.fills import short_fill_warning, shortfall_bps
from claudedex.execution.finality import Finality, FinalityWatch, revert_reorged, roll_back
from claudedex.execution.order import Order
from claudedex.execution.states import TERMINAL, OrderState
from claudedex.execution.txflow import TxFlow
from claudedex.execution.venue import Fill, Record, Venue, VenueContext, settle

S = OrderState


class Settlement:
    """Books an order's fill and follows a sent order to a final state.

    ``record`` journals a state then publishes it (the engine's); ``venue`` tells whether
    orders are signed (only a signed revert can be re-landed by a reorg).
    """

    def __init__(self, bus: EventBus, finality: FinalityWatch, venue: Venue, flow: TxFlow,
                 w3: Any, account: str, weth: str, record: Record) -> None:
        self.bus, self.finality, self.venue, self.flow = bus, finality, venue, flow
        self.w3, self.account, self.weth, self.record = w3, account, weth, record
        self._relanding: set[str] = set()  # reverted, reorged: a fill now is news

    def confirms_reverts(self) -> bool:
        """A signed revert waits for the confirmations too: a reorg may land it after all."""
        return bool(self.finality.confirmations) and self.venue.signs

    async def filled(self, order: Order, fill: Fill | None) -> None:
        """Journal ``filled`` (``confirming`` while the profile's confirmations are due) and
        publish the fill (the venue journaled any failure); then follow it to final."""
        if fill is None:
            if order.state is S.REVERTED and self.confirms_reverts():
                await self.confirm_revert(order)
            return
        if order.id in self._relanding:
            self._relanding.discard(order.id)
            await self.bus.publish(AlertRaised(
                level="error", source="execution",
                message=f"REORG: the {order.side} {order.id} had reverted, its block left the "
                        f"chain and the same reverted transaction landed: {fill.amount_out} "
                        f"received, booked as a fill"))
        final = not (self.finality.confirmations and order.block_hash and self.venue.signs)
        order.amount_out, order.gas_cost_wei = fill.amount_out, fill.gas_cost_wei
        short = shortfall_bps(order.expected_out, fill.amount_out)
        detail = fill.detail or f"received {fill.amount_out}"
        if order.expected_out:
            detail += f" (expected {order.expected_out}, {short} bps short)"
        if not final:
            detail += f"; final after {self.finality.confirmations} blocks on top"
        await self.record(order, S.FILLED if final else S.CONFIRMING, detail)
        warning = short_fill_warning(order.id, order.expected_out, order.amount_out_min,
                                     order.slippage_bps, fill.amount_out)
        if warning is not None:
            await self.bus.publish(AlertRaised(level=warning[0], source="execution",
                                               message=warning[1]))
        await self.bus.publish(OrderFilled(
            order_id=order.id, token=order.token, side=str(order.side),
            amount_in=order.amount_in, amount_out=order.amount_out,
            gas_cost_wei=order.gas_cost_wei, tx_hash=order.mined_hash,
            block_number=order.block_number))
        if not final:
            await self.confirm(order)

    async def confirm(self, order: Order) -> None:
        """A ``confirming`` fill: ``filled`` once buried, else rolled back and watched again
        (the same signed transaction: re-mined, rebroadcast, or failed; never re-signed)."""
        if await self.finality.settle(order) is Finality.FINAL:
            await self.record(order, S.FILLED, f"final: {self.finality.confirmations} "
                               f"blocks on top of block {order.block_number}")
            return
        await roll_back(order, self.record, self.bus)
        await self.settle_watched(order)

    async def confirm_revert(self, order: Order) -> None:
        """A reverted swap: ``failed`` once its block is buried; if the block is reorged
        first, the same signed transaction is watched again (it may now fill)."""
        if order.state is S.REVERTED:
            await self.record(order, S.CONFIRMING_REVERT,
                               f"reverted in block {order.block_number}; final after "
                               f"{self.finality.confirmations} blocks on top")
        if await self.finality.settle(order) is Finality.FINAL:
            await self.record(order, S.FAILED, f"reverted on chain in block "
                               f"{order.block_number} (final: "
                               f"{self.finality.confirmations} blocks on top)")
            return
        await revert_reorged(order, self.record, self.bus)
        self._relanding.add(order.id)
        try:
            await self.settle_watched(order)
        finally:
            if order.state in TERMINAL:
                self._relanding.discard(order.id)

    async def follow(self, order: Order) -> None:
        """Drive an order that may be on chain (or is confirming) to a final state.

        A swap left ``reverted`` (the process died before ``confirming_revert`` was
        journaled) is confirmed from its journaled receipt's block, not watched again: after
        a reorg a fresh receipt of the same transaction may say success in another block,
        which :func:`~claudedex.execution.venue.settle` would read as the old revert. The
        block's hash tells the reorg, and the transaction is then watched as ``reorged``.
        """
        if order.state is S.CONFIRMING:
            await self.confirm(order)
        elif order.state is S.CONFIRMING_REVERT or (
                order.state is S.REVERTED and order.kind == "swap" and order.block_hash
                and self.confirms_reverts()):
            await self.confirm_revert(order)
        else:
            await self.settle_watched(order)

    async def settle_watched(self, order: Order) -> None:
        """An order that may be on chain: watch it to its receipt, then settle it."""
        ctx = VenueContext(self.w3, self.account, self.weth, self.record, lambda: None,
                           self.flow, confirm_reverts=self.confirms_reverts())
        await self.filled(order, await settle(order, ctx, await self.flow.watch(order)))
