"""Crash recovery: reconcile the order journal with the chain before trading again.

Why a module of its own: it is the one place that decides what a journaled order whose
process died still needs, from its latest journal entry alone (see
:mod:`claudedex.execution.states`): orders that never reached ``signed`` are stale and
cancelled; those whose transaction may be on chain are looked up by hash and rebroadcast
from the journaled raw bytes while their nonce is free; ``confirming`` fills have their
block watched again until final or reorged, and so have reverted swaps (``confirming_revert``,
or ``reverted`` when the process died before that was journaled) while the profile's
confirmations are due: a reorg may still land the same transaction as a fill. A venue
that sends nothing (paper, a replay) never rebroadcasts signed orders it finds: it alerts.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import structlog

from claudedex.events import AlertRaised
from claudedex.execution.order import Order
from claudedex.execution.states import ON_CHAIN_POSSIBLE, TERMINAL, OrderState

if TYPE_CHECKING:
    from claudedex.execution.engine import ExecutionEngine

log = structlog.get_logger(__name__)
S = OrderState
# a transaction may exist (look it up), or a fill waits for its confirmations
FOLLOWED: frozenset[OrderState] = ON_CHAIN_POSSIBLE | {S.CONFIRMING}


async def recover(engine: ExecutionEngine) -> list[Order]:
    """Finish or cancel every open journaled order of ``engine``; returns them.

    The nonce manager restarts above every order that holds a nonce. Raises what the
    journal raises (:class:`~claudedex.errors.StorageError`).
    """
    entries = await engine.journal.open_orders()
    orders = [o for o in (Order.from_snapshot(e.data) for e in entries
                          if e.data.get("id") == e.order_id) if o.state not in TERMINAL]
    on_chain = [o for o in orders if o.state in FOLLOWED and o.attempts]
    stale = [o for o in orders if not (o.state in FOLLOWED and o.attempts)]
    if on_chain and not engine.venue.signs:
        # signed by a signing run of the same data dir (a live profile copied to paper
        # under its name): a venue that sends nothing never rebroadcasts them; said loudly
        ids = ", ".join(o.id for o in on_chain)
        log.error("execution.foreign_signed_orders", orders=ids)
        await engine.bus.publish(AlertRaised(
            level="error", source="execution",
            message=f"the journal holds {len(on_chain)} signed order(s) of a signing run "
                    f"({ids}); the {engine.venue.name} venue sends nothing, so they are "
                    f"neither watched nor rebroadcast: check them with the profile that "
                    f"signed them"[:500]))
        on_chain = []
    await engine.nonces.sync(o.attempts[-1].nonce for o in on_chain)
    for order in stale:
        engine.orders.pop(order.id, None)  # a crashed run's copy, never to move again
        await engine._record(order, S.CANCELLED, "engine restarted before signing")
    results = await asyncio.gather(*(engine.resume_order(o) for o in on_chain))
    engine.recovered = True
    log.info("execution.recovered", orders=len(orders), resumed=len(on_chain))
    return [*results, *stale]


__all__ = ["FOLLOWED", "recover"]
