"""Nonces for one account: never reused, gaps refilled, correct after restarts.

Why a manager and not ``get_transaction_count`` per transaction: two orders signed at the
same moment would read the same count and one would be lost (or replace the other). Here a
nonce is *held* from reservation until it is either broadcast (``mark_sent``) or given back
(``release``); a given-back nonce is the first one handed out next, so a failed signature
never leaves a hole that blocks every later transaction.

Other wallets on the same account (a phone, another bot) are detected by ``refresh``: when
the chain's pending count passes our next nonce we jump forward, and a held nonce below it
is reported as taken so the order is re-signed instead of silently replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

import structlog

log = structlog.get_logger(__name__)

# (address, block tag "pending" | "latest") -> transaction count
CountFn = Callable[[str, str], Awaitable[int]]


class NonceManager:
    """Hands out nonces for one address; safe under concurrent asyncio callers."""

    def __init__(self, address: str, count: CountFn) -> None:
        self.address = address
        self._count = count
        self._lock = asyncio.Lock()
        self._next: int | None = None
        self._free: set[int] = set()  # released below _next: handed out first (gap fill)
        self._held: set[int] = set()  # reserved, not yet broadcast
        self._sent: set[int] = set()  # broadcast, not yet known mined

    async def sync(self, journal_nonces: Iterable[int] = ()) -> int:
        """Start (or restart) from the chain and the journal's in-flight nonces.

        ``journal_nonces`` are nonces of transactions the journal says are still in flight;
        they stay marked as sent. Nonces between the node's pending count and the highest
        of them that no transaction holds are gaps, to be refilled first.
        """
        async with self._lock:
            latest = await self._count(self.address, "latest")
            pending = await self._count(self.address, "pending")
            ours = {n for n in journal_nonces if n >= latest}
            nxt = max([pending, latest] + [n + 1 for n in ours])
            self._sent = ours
            self._held.clear()
            self._free = {n for n in range(pending, nxt) if n not in ours}
            self._next = nxt
            log.info("nonces.synced", address=self.address, latest=latest, pending=pending,
                     next=nxt, gaps=sorted(self._free))
            return nxt

    async def _refresh_locked(self) -> None:
        pending = await self._count(self.address, "pending")
        if self._next is None or pending > self._next:
            if self._next is not None:
                log.warning("nonces.external_transactions", address=self.address,
                            ours=self._next, chain=pending)
            self._next = pending
        # Nonces below the pending count are taken (by us or by another wallet).
        self._free = {n for n in self._free if n >= pending}

    async def reserve(self, *, refresh: bool = True) -> int:
        """The next nonce to sign with: a released gap first, else a new one."""
        async with self._lock:
            if refresh or self._next is None:
                await self._refresh_locked()
            assert self._next is not None  # set by _refresh_locked
            if self._free:
                nonce = min(self._free)
                self._free.discard(nonce)
            else:
                nonce = self._next
                self._next += 1
            self._held.add(nonce)
            return nonce

    def mark_sent(self, nonce: int) -> None:
        """The transaction with this nonce reached a node (or may have: a timed-out send)."""
        self._held.discard(nonce)
        self._sent.add(nonce)

    def mark_done(self, nonce: int) -> None:
        """The nonce is consumed on chain (mined, by us or by anyone)."""
        self._held.discard(nonce)
        self._sent.discard(nonce)
        self._free.discard(nonce)

    def release(self, nonce: int) -> None:
        """Nothing with this nonce was broadcast: hand it out again before any new one."""
        self._held.discard(nonce)
        self._sent.discard(nonce)
        if self._next is not None and nonce < self._next:
            self._free.add(nonce)

    def gaps(self) -> list[int]:
        """Released nonces below a broadcast one: each blocks later transactions until filled."""
        top = max(self._sent | self._held, default=-1)
        return sorted(n for n in self._free if n < top)

    def in_flight(self) -> list[int]:
        return sorted(self._held | self._sent)
