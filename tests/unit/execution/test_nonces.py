"""Nonce manager: no reuse, gaps refilled first, restarts and foreign transactions."""

from __future__ import annotations

import asyncio

from claudedex.execution.nonces import NonceManager


class Chain:
    """The two counts a node reports for one account (a pure stand-in for the counts)."""

    def __init__(self, latest: int = 0, pending: int | None = None) -> None:
        self.latest = latest
        self.pending = latest if pending is None else pending

    async def count(self, _address: str, tag: str) -> int:
        return self.pending if tag == "pending" else self.latest


async def test_concurrent_reservations_never_share_a_nonce() -> None:
    chain = Chain(3)
    nm = NonceManager("0xme", chain.count)
    got = await asyncio.gather(*(nm.reserve() for _ in range(200)))
    assert sorted(got) == list(range(3, 203))


async def test_released_nonce_is_handed_out_before_a_new_one() -> None:
    nm = NonceManager("0xme", Chain(0).count)
    a, b, c = [await nm.reserve(refresh=False) for _ in range(3)]
    nm.mark_sent(a)
    nm.mark_sent(c)
    nm.release(b)  # signing failed: b would block c forever
    assert nm.gaps() == [b]
    assert await nm.reserve(refresh=False) == b
    assert nm.gaps() == []
    assert await nm.reserve(refresh=False) == 3


async def test_transactions_from_another_wallet_move_us_forward() -> None:
    chain = Chain(0)
    nm = NonceManager("0xme", chain.count)
    assert await nm.reserve() == 0
    nm.mark_sent(0)
    chain.pending = chain.latest = 5  # a phone wallet sent 4 more on the same account
    assert await nm.reserve() == 5


async def test_sync_after_restart_keeps_journaled_in_flight_nonces() -> None:
    chain = Chain(latest=4, pending=5)  # nonce 4 is in the pool
    nm = NonceManager("0xme", chain.count)
    # journal: 4 (pooled) and 6 (signed, never reached the node); 5 lost before journaling
    assert await nm.sync([4, 6, 2]) == 7
    assert nm.in_flight() == [4, 6]
    assert await nm.reserve(refresh=False) == 5  # the gap is filled first
    assert await nm.reserve(refresh=False) == 7
