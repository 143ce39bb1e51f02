"""Token metadata cached by token and block on one connection: a second read in the same
block makes no eth_call, a new block reads again, other connections are not affected."""

from __future__ import annotations

from claudedex.apis.cache import TwoLevelCache
from claudedex.tokenmeta import (
    DECIMALS,
    NAME,
    SYMBOL,
    TOTAL_SUPPLY,
    cache_token_meta,
    read_token_meta,
)

TOKEN = "0x" + "aa" * 20


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def abi_string(raw: bytes) -> bytes:
    return word(32) + word(len(raw)) + raw + bytes(-len(raw) % 32)


class Connection:
    """Stands for the web3 connection the readers share (the cache is bound to it)."""


class CountingReader:
    """``ChainReader``'s shape: ``w3``, ``call`` and ``block_number``; counts the calls."""

    def __init__(self, w3: Connection, decimals: int = 18) -> None:
        self.w3 = w3
        self.head = 100
        self.decimals = decimals
        self.calls: list[tuple[bytes, str | int]] = []

    async def block_number(self) -> int:
        return self.head

    async def call(self, to: str, data: bytes, *, block: str | int = "latest",
                   gas: int | None = None) -> bytes | None:
        self.calls.append((data[:4], block))
        answers = {NAME: abi_string(b"Token"), SYMBOL: abi_string(b"TKN"),
                   DECIMALS: word(self.decimals), TOTAL_SUPPLY: word(10**24)}
        return answers[data[:4]]


async def test_same_block_is_read_once_and_pinned_to_the_block() -> None:
    w3 = Connection()
    cache = TwoLevelCache()
    cache_token_meta(w3, cache, "31337:abc")
    follower, safety = CountingReader(w3), CountingReader(w3)
    first = await read_token_meta(follower, TOKEN)
    second = await read_token_meta(safety, TOKEN)  # another component, same block
    assert first == second and first.symbol == "TKN" and first.total_supply == 10**24
    assert len(follower.calls) == 4 and not safety.calls
    assert {block for _sel, block in follower.calls} == {100}  # "latest" pinned to 100
    safety.head, safety.decimals = 101, 6  # a new block: read again (decimals may change)
    third = await read_token_meta(safety, TOKEN)
    assert third.decimals.value == 6 and len(safety.calls) == 4
    assert cache.stats.hits_l1 == 1


async def test_unbound_connections_and_other_tags_are_not_cached() -> None:
    bound, other = Connection(), Connection()
    cache_token_meta(bound, TwoLevelCache(), "1:x")
    reader = CountingReader(other)
    await read_token_meta(reader, TOKEN)
    await read_token_meta(reader, TOKEN)
    assert len(reader.calls) == 8  # no cache on this connection
    pending = CountingReader(bound)
    await read_token_meta(pending, TOKEN, block="pending")
    await read_token_meta(pending, TOKEN, block="pending")
    assert len(pending.calls) == 8 and {b for _s, b in pending.calls} == {"pending"}
