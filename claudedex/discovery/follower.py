"""PairFollower: every new Uniswap-V2 pair, every block, and pair prices from Sync events.

Why "new heads trigger a log scan" rather than log subscriptions: a websocket log stream
silently loses events across a reconnect or a reorg. Here each new head (websocket
``eth_subscribe newHeads`` where available, polling otherwise) triggers one eth_getLogs over
the last ``reorg_depth`` blocks plus the new ones, so a reorged-in PairCreated is still seen,
duplicates are dropped by pair address, and a restart resumes from the stored block.

A token's pools against the profile's other quote assets (``chain.route_via``: USDC, USDT)
are followed too, as ``source="route"`` pairs whose reserves are published in native units
(:mod:`claudedex.discovery.routed`): that is where such a token's liquidity often is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.discovery.routed import RoutedPair, RoutedPools
from claudedex.discovery.state import BlockStateStore
from claudedex.domain import PairInfo
from claudedex.errors import ChainError
from claudedex.events import BlockSeen, PairDiscovered, PriceTicked
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import as_address
from claudedex.tokenmeta import read_token_meta

log = structlog.get_logger(__name__)

PAIR_CREATED = "0x0d3648bd0f6ba80134a33ba9275ac585d9d315f0ad8355cddefde31afa28d0e9"
SYNC = "0x1c411e9a96e071241c2f21f7726b17ae89e3cab4c78be50e062b03a9fffbbad1"
ADDRESS_CHUNK = 1000  # addresses per eth_getLogs filter (providers cap the list)


class PairFollower:
    """Emits PairDiscovered once per pair, BlockSeen per block and PriceTicked per Sync."""

    def __init__(
        self,
        bus: EventBus,
        w3: AsyncWeb3[Any],
        factories: Mapping[str, str],
        quote_token: str,
        chain_id: int,
        state_store: BlockStateStore,
        *,
        ws_url: str = "",
        poll_interval_s: float = 0.25,
        reorg_depth: int = 12,
        start_block: int | None = None,
        max_range: int = 2_000,
        via: Sequence[str] = (),
    ) -> None:
        self.bus = bus
        self.reader = ChainReader(w3)
        self.factories = {a.lower(): v for v, a in factories.items()}
        self.quote = quote_token.lower()
        self.chain_id = chain_id
        self.store = state_store
        self.ws_url = ws_url
        self.poll_interval_s = poll_interval_s
        self.reorg_depth = max(reorg_depth, 1)
        self.start_block = start_block
        self.max_range = max_range
        self.key = f"pairs:{chain_id}:{','.join(sorted(self.factories))}"
        self._pairs = state_store.known_pairs(self.key)
        self._last_sync: dict[str, tuple[int, int]] = {}
        self._last_head = -1
        # the known tokens' pairs against the other quote assets (chain.route_via)
        self.routed = RoutedPools(self.reader, quote_token, via, state_store, chain_id)
        self.routed.restore(list(self.factories))

    @property
    def pairs(self) -> dict[str, tuple[str, bool]]:
        """Pairs known so far: pair address -> (token, quote_is_token0)."""
        return self._pairs

    async def run(self) -> None:
        """Follow the chain until cancelled (websocket heads if possible, else polling)."""
        if self.ws_url:
            try:
                await self._run_ws()
            except (OSError, ChainError, ConnectionError) as exc:
                log.warning("discovery.ws_failed", error=str(exc), fallback="polling")
        await self._run_polling()

    async def _run_polling(self) -> None:
        while True:
            try:
                await self.step()
            except ChainError as exc:
                log.warning("discovery.poll_failed", error=str(exc))
            await asyncio.sleep(self.poll_interval_s)

    async def _run_ws(self) -> None:
        from web3 import WebSocketProvider

        async with AsyncWeb3(WebSocketProvider(self.ws_url)) as ws:
            await ws.eth.subscribe("newHeads")
            await self.step()
            async for _msg in ws.socket.process_subscriptions():
                await self.step()

    async def step(self) -> int:
        """Process everything up to the current head once; returns the head processed."""
        head = await self.reader.block_number()
        last = self.store.get_last_block(self.key)
        if last is None:
            last = (self.start_block - 1) if self.start_block is not None else head - 1
        if head > self._last_head:
            block = await self.reader.block(head)
            base_fee = int(block.get("baseFeePerGas", "0x0"), 16)
            await self.bus.publish(BlockSeen(chain_id=self.chain_id, number=head,
                                             base_fee_wei=base_fee))
            self._last_head = head
        start = max(last + 1 - self.reorg_depth, 0)
        while start <= head:
            end = min(start + self.max_range - 1, head)
            await self._scan(start, end)
            start = end + 1
        if head > (self.store.get_last_block(self.key) or -1):
            self.store.set_last_block(self.key, head)
        return head

    async def _scan(self, start: int, end: int) -> None:
        addresses = list(self.factories) + list(self._pairs) + list(self.routed.pairs)
        chunks = [addresses[i:i + ADDRESS_CHUNK] for i in range(0, len(addresses), ADDRESS_CHUNK)]
        parts = await asyncio.gather(*(
            self.reader.logs({"fromBlock": hex(start), "toBlock": hex(end), "address": chunk,
                              "topics": [[PAIR_CREATED, SYNC]]}) for chunk in chunks))
        logs = sorted((lg for part in parts for lg in part),
                      key=lambda lg: (int(lg["blockNumber"], 16), int(lg["logIndex"], 16)))
        created = [lg for lg in logs if lg["topics"][0] == PAIR_CREATED and not lg.get("removed")]
        known = set(self._pairs) | set(self.routed.pairs)
        for lg in created:
            await self._on_pair_created(lg)
        fresh = [pair for pair in [*self._pairs, *self.routed.pairs] if pair not in known]
        if fresh:  # a pair created in this range has its first Syncs here too (liquidity)
            more = await asyncio.gather(*(
                self.reader.logs({"fromBlock": hex(start), "toBlock": hex(end),
                                  "address": fresh[i:i + ADDRESS_CHUNK], "topics": [[SYNC]]})
                for i in range(0, len(fresh), ADDRESS_CHUNK)))
            logs = sorted([*logs, *(lg for part in more for lg in part)],
                          key=lambda lg: (int(lg["blockNumber"], 16), int(lg["logIndex"], 16)))
        latest: dict[str, dict[str, Any]] = {}
        for lg in logs:
            if lg["topics"][0] == SYNC and not lg.get("removed"):
                latest[lg["address"].lower()] = lg  # logs come in chain order: keep the last
        for pair, lg in latest.items():
            await self._on_sync(pair, lg)

    async def _on_pair_created(self, lg: dict[str, Any]) -> None:
        factory = lg["address"].lower()
        token0 = as_address(bytes.fromhex(lg["topics"][1][2:]))
        token1 = as_address(bytes.fromhex(lg["topics"][2][2:]))
        pair = as_address(bytes.fromhex(lg["data"][2:66]))
        if pair in self._pairs or pair in self.routed.pairs:
            return
        if self.quote not in (token0, token1):
            await self._on_other_pair(lg, factory, pair, token0, token1)
            return
        quote_is_token0 = token0 == self.quote
        token = token1 if quote_is_token0 else token0
        if token in self.routed.via:  # a quote asset's own WETH pool (USDC/WETH): no launch
            log.debug("discovery.quote_asset_pool", pair=pair, asset=token)
            return
        meta = await read_token_meta(self.reader, token)  # a node error: the pair is retried
        if pair in self._pairs:  # another source (DexScreener) published it meanwhile
            return
        self._pairs[pair] = (token, quote_is_token0)
        self.store.add_pair(self.key, pair, token, quote_is_token0)
        if meta.decimals.value is None:  # safety reports it (BAD_DECIMALS); shown at 18
            log.warning("discovery.bad_decimals", token=token, raw=meta.decimals.raw[:80])
        info = PairInfo(chain_id=self.chain_id, venue=self.factories.get(factory, factory),
                        pair=pair, token=token, quote=self.quote,
                        block_number=int(lg["blockNumber"], 16), symbol=meta.symbol,
                        name=meta.name, decimals=meta.display_decimals)
        log.info("discovery.pair", pair=pair, token=token, venue=info.venue)
        await self.bus.publish(PairDiscovered(pair=info, source="chain"))
        for routed in await self.routed.find(token, list(self.factories)):
            await self._announce(routed, info)

    async def _on_other_pair(self, lg: dict[str, Any], factory: str, pair: str, token0: str,
                             token1: str) -> None:
        """A pair of a known token against a route-via asset, created after its WETH pair."""
        via = token0 if token0 in self.routed.via else token1
        token = token1 if via == token0 else token0
        if via not in self.routed.via or all(t != token for t, _ in self._pairs.values()):
            return
        meta = await read_token_meta(self.reader, token)
        info = PairInfo(chain_id=self.chain_id, venue=self.factories.get(factory, factory),
                        pair=pair, token=token, quote=self.quote,
                        block_number=int(lg["blockNumber"], 16), symbol=meta.symbol,
                        name=meta.name, decimals=meta.display_decimals)
        await self._announce(self.routed.add(pair, token, via, factory), info)

    async def _announce(self, routed: RoutedPair, like: PairInfo) -> None:
        """Publish a routed pair (quote: its via asset) and its reserves valued in native."""
        info = PairInfo(chain_id=self.chain_id,
                        venue=self.factories.get(routed.factory, routed.factory),
                        pair=routed.pair, token=routed.token, quote=routed.via,
                        block_number=like.block_number, symbol=like.symbol, name=like.name,
                        decimals=like.decimals)
        log.info("discovery.routed_pair", pair=routed.pair, token=routed.token, via=routed.via)
        await self.bus.publish(PairDiscovered(pair=info, source="route"))
        raw = await self.routed.reserves(routed.pair)
        if raw is not None:
            r_token, r_quote = await self.routed.tick(routed, *raw)
            await self.bus.publish(PriceTicked(pair=routed.pair, reserve_token=r_token,
                                               reserve_quote=r_quote,
                                               block_number=like.block_number))

    async def _on_sync(self, pair: str, lg: dict[str, Any]) -> None:
        known = self._pairs.get(pair)
        routed = self.routed.pairs.get(pair)
        if known is None and routed is None:
            return
        position = (int(lg["blockNumber"], 16), int(lg["logIndex"], 16))
        if position <= self._last_sync.get(pair, (-1, -1)):
            return
        self._last_sync[pair] = position
        data = bytes.fromhex(lg["data"][2:])
        r0, r1 = int.from_bytes(data[:32], "big"), int.from_bytes(data[32:64], "big")
        if routed is not None:  # valued in native through the via asset's WETH pool
            r_token, r_quote = await self.routed.tick(routed, r0, r1)
            await self.bus.publish(PriceTicked(pair=pair, reserve_token=r_token,
                                               reserve_quote=r_quote,
                                               block_number=position[0]))
            return
        assert known is not None
        _, quote_is_token0 = known
        reserve_quote, reserve_token = (r0, r1) if quote_is_token0 else (r1, r0)
        await self.bus.publish(PriceTicked(pair=pair, reserve_token=reserve_token,
                                           reserve_quote=reserve_quote,
                                           block_number=position[0]))
