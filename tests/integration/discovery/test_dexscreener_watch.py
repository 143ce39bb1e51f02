"""DexScreenerWatcher against the local DexScreener-shaped server."""

from __future__ import annotations

from claudedex.apis.dexscreener import DexScreenerClient
from claudedex.apis.http import JsonHttpClient
from claudedex.apis.testing.servers import ApiData, ApiServer, dexscreener_pair
from claudedex.bus import EventBus
from claudedex.discovery.dexscreener_watch import DexScreenerWatcher
from claudedex.events import PairDiscovered

WETH = "0x" + "ee" * 20
TOKENS = ["0x" + f"{i:02x}" * 20 for i in range(1, 4)]


async def test_profiles_become_pairs_once() -> None:
    data = ApiData()
    for i, tok in enumerate(TOKENS):
        data.profiles.append({"chainId": "devnet", "tokenAddress": tok, "url": "", "links": []})
        dex = "uniswap" if i < 2 else "unknownswap"
        data.pairs.append(dexscreener_pair("devnet", "0x" + f"{i + 0x40:02x}" * 20,
                                           (tok, f"T{i}", f"T{i}"), (WETH, "WETH", "WETH"),
                                           "0.001", 100.0, 0, dex_id=dex))
    data.profiles.append({"chainId": "other", "tokenAddress": "0x" + "99" * 20})
    async with ApiServer(data) as server:
        http = JsonHttpClient(server.url)
        try:
            bus = EventBus()
            sub = bus.subscribe("t", [PairDiscovered.topic])
            watcher = DexScreenerWatcher(bus, DexScreenerClient(http), 31337, "devnet", WETH,
                                         {"uniswap": "uniswap"})
            found = await watcher.step()
            assert sorted(i.token for i in found) == TOKENS[:2]  # unknown dex skipped
            assert all(i.venue == "uniswap" and i.quote == WETH for i in found)
            assert await watcher.step() == []  # once per pair
            events = []
            while (ev := sub.get_nowait()) is not None:
                events.append(ev)
            assert len(events) == 2
            assert all(isinstance(e, PairDiscovered) and e.source == "dexscreener"
                       for e in events)
        finally:
            await http.close()
