"""A token's pools against the profile's other quote assets, valued in the native asset.

Why: a token's deep pool is often against a stablecoin while its WETH pool is dust. The
follower knows tokens by their WETH pairs; for each one it also follows the token's pairs
against every ``chain.route_via`` asset (on every venue), so the market view, the marks
and the risk manager see the liquidity the planner will route through. Such a pool's
quote reserve is published in the native asset's base units, valued at the mid price of
the quote asset's own WETH pool on the same venue (integer floor), so prices, depths and
candles of every pool of a token stay in one unit whatever the quote asset's decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_utils.crypto import keccak

from claudedex.discovery.state import BlockStateStore
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import ZERO_ADDRESS, addr_word, as_address

GET_PAIR = keccak(text="getPair(address,address)")[:4]
GET_RESERVES = keccak(text="getReserves()")[:4]


@dataclass(frozen=True, slots=True)
class RoutedPair:
    """A pair of ``token`` against ``via`` (a quote asset other than WETH) on ``factory``."""

    pair: str
    token: str
    via: str
    via_is_token0: bool
    factory: str


class RoutedPools:
    """Finds and values a token's pools against the route-via assets (lower-case hex)."""

    def __init__(self, reader: ChainReader, weth: str, via: Sequence[str],
                 store: BlockStateStore | None = None, chain_id: int = 0) -> None:
        self.reader = reader
        self.weth = weth.lower()
        self.via = [a.lower() for a in via if a.lower() != weth.lower()]
        self.pairs: dict[str, RoutedPair] = {}  # pair -> what it is
        self._anchor: dict[tuple[str, str], str] = {}  # (factory, via) -> via/WETH pair
        self.store = store
        self.chain_id = chain_id

    def _key(self, factory: str, via: str) -> str:
        return f"routed:{self.chain_id}:{factory.lower()}:{via}"

    def restore(self, factories: Sequence[str]) -> None:
        """Reload the pairs a previous run found (the store keeps one list per factory and
        via asset), so a restart keeps following them."""
        if self.store is None:
            return
        for factory in factories:
            for via in self.via:
                for pair, (token, _) in self.store.known_pairs(self._key(factory, via)).items():
                    self.add(pair, token, via, factory, persist=False)

    async def get_pair(self, factory: str, a: str, b: str) -> str | None:
        """``factory.getPair(a, b)``; None when there is none (or the call reverts)."""
        out = await self.reader.call(factory, GET_PAIR + addr_word(a) + addr_word(b))
        if out is None or len(out) < 32:
            return None
        pair = as_address(out[:32])
        return None if pair == ZERO_ADDRESS else pair

    async def reserves(self, pair: str) -> tuple[int, int] | None:
        """(reserve0, reserve1) of a V2 pair, None if unreadable."""
        out = await self.reader.call(pair, GET_RESERVES)
        if out is None or len(out) < 64:
            return None
        return int.from_bytes(out[:32], "big"), int.from_bytes(out[32:64], "big")

    async def find(self, token: str, factories: Sequence[str]) -> list[RoutedPair]:
        """The token's not yet known pairs against each via asset on each factory."""
        found = []
        for factory in factories:
            for via in self.via:
                pair = await self.get_pair(factory, token, via)
                if pair is not None and pair not in self.pairs:
                    found.append(self.add(pair, token, via, factory))
        return found

    def add(self, pair: str, token: str, via: str, factory: str, *,
            persist: bool = True) -> RoutedPair:
        """Know ``pair`` as ``token``'s pool against ``via`` (stored for restarts)."""
        routed = RoutedPair(pair.lower(), token.lower(), via.lower(),
                            int(via, 16) < int(token, 16), factory.lower())
        self.pairs[routed.pair] = routed
        if persist and self.store is not None:
            self.store.add_pair(self._key(factory, routed.via), routed.pair, routed.token,
                                routed.via_is_token0)
        return routed

    async def native_value(self, routed: RoutedPair, amount: int) -> int:
        """``amount`` of the via asset in native base units at its WETH pool's mid price
        (0 when that pool is missing or empty: the pool then counts as no depth)."""
        key = (routed.factory, routed.via)
        anchor = self._anchor.get(key)
        if anchor is None:
            anchor = await self.get_pair(routed.factory, routed.via, self.weth)
            if anchor is None:
                return 0
            self._anchor[key] = anchor
        res = await self.reserves(anchor)
        if res is None:
            return 0
        r_via, r_weth = res if int(routed.via, 16) < int(self.weth, 16) else res[::-1]
        return amount * r_weth // r_via if r_via > 0 else 0

    async def tick(self, routed: RoutedPair, r0: int, r1: int) -> tuple[int, int]:
        """(reserve_token, reserve_quote in native units) from the pair's raw reserves."""
        r_via, r_token = (r0, r1) if routed.via_is_token0 else (r1, r0)
        return r_token, await self.native_value(routed, r_via)


async def routed_pools(reader: ChainReader, factories: Sequence[str], weth: str,
                       via: Sequence[str], token: str) -> list[tuple[str, int, int]]:
    """(pair, token reserve, quote reserve in native units) of every pool of ``token``
    against a ``via`` asset with liquidity on any of ``factories`` (read now)."""
    pools = RoutedPools(reader, weth, via)
    out: list[tuple[str, int, int]] = []
    for routed in await pools.find(token, factories):
        raw = await pools.reserves(routed.pair)
        if raw is None:
            continue
        r_token, r_quote = await pools.tick(routed, *raw)
        if r_token > 0 and r_quote > 0:
            out.append((routed.pair, r_token, r_quote))
    return out
