"""When a fill is final: its block buried under the profile's ``confirmations``, or reorged.

Why by block hash: a receipt says which block a transaction landed in; a reorg replaces that
block (same number, another hash). Comparing the hash of the fill's block number with the
receipt's ``blockHash`` each poll notices it, whatever the node's reorg notifications (an
HTTP node has none). A head below the fill's block, or a block the node cannot find, is
only a wait: a node behind its peers (a load balancer's lagging backend) shows exactly that,
and rolling a fill back on it would let the strategy buy the "missing" position again. A
fill is final once ``confirmations`` blocks are built on top of its block while its hash is
unchanged.

Why the loop never raises for a node error: an order in ``confirming`` may only become
``filled`` or ``reorged``; a flaky node delays the answer, it cannot decide it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import structlog

from claudedex.bus import EventBus
from claudedex.config import Profile
from claudedex.errors import ChainError
from claudedex.events import AlertRaised, FillRolledBack
from claudedex.execution.order import Order
from claudedex.execution.states import OrderState
from claudedex.execution.txflow import TRANSIENT, hex_hash
from claudedex.execution.venue import Record
from claudedex.rpc.lazy_errors import block_not_found, client_error, web3_exception

log = structlog.get_logger(__name__)
# with aiohttp's and web3's base classes, added where caught (claudedex.rpc.lazy_errors)
NODE_ERRORS: tuple[type[BaseException], ...] = (ChainError, ValueError, *TRANSIENT)


class Finality(StrEnum):
    FINAL = "final"
    REORGED = "reorged"


@dataclass(frozen=True, slots=True)
class FinalityWatch:
    """Watches fills' blocks on ``w3`` (an AsyncWeb3).

    ``confirmations``: blocks on top of the fill's block before it is final (0: at once).
    ``poll_s``: seconds between looks at the chain head.
    """

    w3: Any
    confirmations: int
    poll_s: float = 1.0

    @classmethod
    def for_profile(cls, w3: Any, profile: Profile) -> FinalityWatch:
        """The profile's confirmations, polled four times a block (0.05 s to 3 s)."""
        poll = min(3.0, max(0.05, float(profile.chain.block_time_s) / 4))
        return cls(w3, profile.confirmations, poll)

    async def _look(self, order: Order) -> Finality | None:
        head = int(await self.w3.eth.block_number)
        if head < order.block_number:
            # a shorter chain is no evidence yet: a load-balanced node one block behind
            # looks the same; a real reorg puts another block at this height soon
            return None
        try:
            block = await self.w3.eth.get_block(order.block_number)
        except block_not_found():
            return None  # the same lag seen on another backend
        if block is None:
            return None
        if hex_hash(block["hash"]) != order.block_hash.lower():
            return Finality.REORGED
        if head - order.block_number >= self.confirmations:
            return Finality.FINAL
        return None

    async def settle(self, order: Order) -> Finality:
        """Poll until the order's fill block is buried (FINAL) or replaced (REORGED).

        ``order.block_number`` and ``order.block_hash`` must be those of its receipt; an
        order without a block hash (a paper fill) is final at once.
        """
        if not order.block_hash or not order.block_number:
            return Finality.FINAL
        while True:
            try:
                found = await self._look(order)
            except (*NODE_ERRORS, client_error(), web3_exception()) as exc:
                log.warning("execution.finality_poll_error", order=order.id,
                            error=repr(exc)[:200])
                found = None
            if found is not None:
                return found
            await asyncio.sleep(self.poll_s)




async def roll_back(order: Order, record: Record, bus: EventBus) -> None:
    """The fill's block left the chain: journal ``reorged`` (the fill's numbers cleared so
    the transaction is watched again from its hashes), then tell the portfolio and the
    fill history (:class:`FillRolledBack`) and the operator (an error alert)."""
    undo = FillRolledBack(order_id=order.id, token=order.token, side=str(order.side),
                          amount_in=order.amount_in, amount_out=order.amount_out,
                          gas_cost_wei=order.gas_cost_wei, tx_hash=order.mined_hash,
                          block_number=order.block_number)
    block, block_hash = order.block_number, order.block_hash
    order.amount_out = order.gas_cost_wei = order.block_number = 0
    order.mined_hash = order.block_hash = ""
    await record(order, OrderState.REORGED,
                 f"block {block} ({block_hash[:10]}) left the chain: fill of "
                 f"{undo.amount_out} rolled back; transaction {undo.tx_hash} watched again")
    log.error("execution.fill_reorged", order=order.id, block=block, tx=undo.tx_hash)
    await bus.publish(undo)
    await bus.publish(AlertRaised(
        level="error", source="execution",
        message=f"REORG: block {block} with the {order.side} of {order.id} left the chain; "
                f"its fill ({undo.amount_out} received) is rolled back from the position and "
                f"P&L until the transaction lands again"))


async def revert_reorged(order: Order, record: Record, bus: EventBus) -> None:
    """A reverted transaction's block left the chain: journal ``reorged`` (its receipt
    fields cleared so it is watched again from its hashes) and warn the operator. Nothing
    was booked for a revert, so nothing is rolled back; if the transaction lands again and
    succeeds it is booked then, as an ordinary fill."""
    block, block_hash, tx_hash = order.block_number, order.block_hash, order.mined_hash
    order.gas_cost_wei = order.block_number = 0
    order.mined_hash = order.block_hash = ""
    await record(order, OrderState.REORGED,
                 f"block {block} ({block_hash[:10]}) with the revert left the chain; "
                 f"transaction {tx_hash} watched again")
    log.error("execution.revert_reorged", order=order.id, block=block, tx=tx_hash)
    await bus.publish(AlertRaised(
        level="warning", source="execution",
        message=f"REORG: block {block} with the reverted {order.side} of {order.id} left "
                f"the chain; the same transaction may land again and fill, and is watched"))


__all__ = ["Finality", "FinalityWatch", "hex_hash", "revert_reorged", "roll_back"]
