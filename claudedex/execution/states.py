"""The order state machine: which transition may follow which, and nothing else.

Why explicit: a crash can leave an order anywhere, and recovery must know what was already
done (a transaction exists once an order is ``signed``). Refusing an illegal transition
turns a logic bug into a loud error instead of a silently double-spent order.

``dropped`` is recorded only when the engine gives up on the transaction (it is terminal in
:data:`claudedex.storage.journal.TERMINAL_STATES` too): a swap only once its deadline has
passed, when no copy of it can fill any more (until then it is watched, its nonce given to
the next order: whichever of the two lands decides); a transaction that vanished from the
pool and is sent again is recorded as another ``broadcast``. ``reverted`` is always followed
by ``failed`` or ``confirming_revert``, so the journal keeps it open: a process that died
between the two writes leaves it to recovery, which finishes it like its successor.

Reorgs: with the profile's ``confirmations`` above 0 a fill is first ``confirming`` (read
from its receipt and booked by the portfolio, its block not yet buried) and becomes
``filled`` (final) only with that many blocks on top of it. If its block leaves the chain
first, the order is ``reorged``: the fill is rolled back and the transaction is watched
again exactly like one whose answer was lost (re-mined, rebroadcast from the journaled raw
bytes while its nonce is free, or failed when the nonce went elsewhere).

A reverted swap is no more final than a fill: with ``confirmations`` above 0 it is
``confirming_revert`` until buried, and ``failed`` only then. If its block leaves the chain
first, the same signed transaction may land again in another state and succeed, so it is
``reorged`` and watched again like a removed fill (nothing was booked, nothing is rolled
back); a success is then an ordinary fill. Until it is final it counts as a sell in flight.
"""

from __future__ import annotations

from enum import StrEnum

from claudedex.errors import ClaudeDexError


class OrderState(StrEnum):
    INTENT = "intent"
    RISK_APPROVED = "risk_approved"
    OPERATOR_APPROVED = "operator_approved"
    JOURNALED = "journaled"  # route, amountOutMin and deadline fixed and on disk
    SIGNED = "signed"  # raw transaction on disk: it may exist on chain from here on
    BROADCAST = "broadcast"
    MINED = "mined"  # receipt with status 1
    REVERTED = "reverted"  # receipt with status 0
    # reverted, its block not yet buried under `confirmations`: a reorg may still land it
    CONFIRMING_REVERT = "confirming_revert"
    DROPPED = "dropped"  # gone from the pool and given up on
    REPLACED = "replaced"  # superseded by a bumped transaction with the same nonce
    CONFIRMING = "confirming"  # filled on chain, waiting for `confirmations` blocks on top
    REORGED = "reorged"  # the fill's block left the chain: fill rolled back, tx watched again
    FILLED = "filled"  # final
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped before anything was signed (halt, dry run, restart)
    SIMULATED = "simulated"  # dry run (--dry-run): quoted, never signed


S = OrderState

ALLOWED: dict[OrderState, frozenset[OrderState]] = {
    S.INTENT: frozenset({S.RISK_APPROVED, S.FAILED, S.CANCELLED}),
    S.RISK_APPROVED: frozenset({S.OPERATOR_APPROVED, S.FAILED, S.CANCELLED}),
    S.OPERATOR_APPROVED: frozenset({S.JOURNALED, S.FAILED, S.CANCELLED}),
    # journaled -> filled: a paper fill (simulated on the live chain, nothing signed)
    S.JOURNALED: frozenset({S.SIGNED, S.FAILED, S.CANCELLED, S.SIMULATED, S.FILLED}),
    # signed -> signed: re-signed with a fresh nonce after the node refused the first one
    S.SIGNED: frozenset({S.BROADCAST, S.SIGNED, S.MINED, S.REVERTED, S.FAILED}),
    S.BROADCAST: frozenset(
        {S.BROADCAST, S.MINED, S.REVERTED, S.DROPPED, S.REPLACED, S.FAILED}
    ),
    S.REPLACED: frozenset({S.SIGNED, S.BROADCAST, S.MINED, S.REVERTED, S.FAILED}),
    S.MINED: frozenset({S.FILLED, S.CONFIRMING, S.BROADCAST}),  # broadcast: after a reorg
    S.CONFIRMING: frozenset({S.FILLED, S.REORGED}),
    S.REORGED: frozenset({S.MINED, S.REVERTED, S.BROADCAST, S.REPLACED, S.DROPPED, S.FAILED}),
    S.REVERTED: frozenset({S.FAILED, S.BROADCAST, S.CONFIRMING_REVERT}),
    S.CONFIRMING_REVERT: frozenset({S.FAILED, S.REORGED}),
    S.DROPPED: frozenset({S.FAILED}),
    S.FILLED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.SIMULATED: frozenset(),
}

TERMINAL: frozenset[OrderState] = frozenset(s for s, nxt in ALLOWED.items() if not nxt)
# A transaction may exist on chain in these states: recovery must look it up, never re-sign.
ON_CHAIN_POSSIBLE: frozenset[OrderState] = frozenset(
    {S.SIGNED, S.BROADCAST, S.REPLACED, S.MINED, S.REVERTED, S.REORGED, S.CONFIRMING_REVERT}
)


class IllegalTransition(ClaudeDexError):
    """A transition the state machine forbids (a bug, never an operator mistake)."""


def check_transition(current: OrderState, nxt: OrderState) -> None:
    if nxt not in ALLOWED[current]:
        raise IllegalTransition(f"order state {current} -> {nxt} is not allowed")
