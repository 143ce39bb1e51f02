"""DexScreenerWatcher: pairs that DexScreener lists (new token profiles), as PairDiscovered.

Why a second source: the on-chain follower only sees the factories we configured; profiles
on DexScreener surface tokens the operator's community is talking about, possibly on other
V2 forks. Pairs are emitted once each, with ``source="dexscreener"`` and block 0 (unknown);
the safety layer judges them exactly like on-chain discoveries. ``admit`` (optional) has the
last word on each pair before it is published: the builder checks it on chain and dedupes it
against the on-chain follower; a pair whose check raised is retried at the next poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import structlog

from claudedex.apis.dexscreener import DexPair, DexScreenerClient
from claudedex.apis.http import ApiError
from claudedex.bus import EventBus
from claudedex.domain import PairInfo
from claudedex.events import PairDiscovered
from claudedex.tokenmeta import clean_text

log = structlog.get_logger(__name__)


class DexScreenerWatcher:
    """Polls token profiles, then their pairs; emits the quote-token pairs of known venues."""

    def __init__(
        self,
        bus: EventBus,
        client: DexScreenerClient,
        chain_id: int,
        chain_slug: str,
        quote_token: str,
        venues_by_dex: Mapping[str, str],
        *,
        poll_interval_s: float = 10.0,
        admit: Callable[[PairInfo], Awaitable[bool]] | None = None,
    ) -> None:
        self.bus = bus
        self.client = client
        self.chain_id = chain_id
        self.chain_slug = chain_slug
        self.quote = quote_token.lower()
        self.venues_by_dex = dict(venues_by_dex)
        self.poll_interval_s = poll_interval_s
        self.admit = admit
        self._tokens: set[str] = set()
        self._pairs: set[str] = set()

    async def run(self) -> None:
        while True:
            try:
                await self.step()
            except ApiError as exc:
                log.warning("dexscreener.poll_failed", error=str(exc))
            await asyncio.sleep(self.poll_interval_s)

    async def step(self) -> list[PairInfo]:
        profiles = await self.client.latest_profiles()
        fresh = sorted({p.token_address for p in profiles if p.chain_id == self.chain_slug}
                       - self._tokens)
        found: list[PairInfo] = []
        for start in range(0, len(fresh), 30):  # the tokens endpoint takes up to 30 addresses
            batch = fresh[start:start + 30]
            for pair in await self.client.token_pairs(batch):
                info = self._info(pair)
                if info is not None:
                    found.append(info)
            self._tokens.update(batch)
        published: list[PairInfo] = []
        for info in found:
            if self.admit is not None:
                try:
                    if not await self.admit(info):
                        continue
                except Exception as exc:  # noqa: BLE001 - any check error: ask again next poll
                    log.warning("dexscreener.admit_failed", pair=info.pair, error=repr(exc))
                    self._pairs.discard(info.pair)
                    self._tokens.discard(info.token)
                    continue
            await self.bus.publish(PairDiscovered(pair=info, source="dexscreener"))
            published.append(info)
        return published

    def _info(self, p: DexPair) -> PairInfo | None:
        venue = self.venues_by_dex.get(p.dex_id)
        if p.chain_id != self.chain_slug or venue is None or p.pair_address in self._pairs:
            return None
        if p.quote.address == self.quote:
            token = p.base
        elif p.base.address == self.quote:
            token = p.quote
        else:
            return None
        self._pairs.add(p.pair_address)
        return PairInfo(chain_id=self.chain_id, venue=venue, pair=p.pair_address,
                        token=token.address, quote=self.quote, block_number=0,
                        symbol=clean_text(token.symbol), name=clean_text(token.name))
