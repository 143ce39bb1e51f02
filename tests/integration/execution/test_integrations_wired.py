"""The profile's ``apis`` integrations are read, not just validated: a devnet kernel built from
a profile naming a private relay sends through it, an aggregator that beats the venues is
taken, and DexScreener pairs reach the safety analyzer once each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from claudedex.execution.aggregator_server import AggregatorServer
from claudedex.execution.relay_server import RelayServer

from .test_cli_trade import write_manifest

pytestmark = pytest.mark.anvil


@asynccontextmanager
async def engine_with(chain: Any, **apis: Any) -> AsyncIterator[Any]:
    """A devnet engine on the test chain, its profile's ``apis`` updated with ``apis``."""
    from claudedex.config import load_profile
    from claudedex.engine import Engine
    from claudedex.kernel import BuildOptions
    from claudedex.paths import data_dir

    write_manifest(chain, next(chain.accounts))
    profile = load_profile("devnet")
    profile = profile.model_copy(update={"apis": profile.apis.model_copy(update=apis)})
    engine = Engine(profile, data_dir=data_dir("devnet"),
                    options=BuildOptions(feeds=False, start_devnet=False))
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


async def details(engine: Any, order_id: str) -> dict[str, str]:
    entries = await engine.kernel.journal.history(order_id)
    return {e.state: str(e.data.get("detail", "")) for e in entries}


def buy(chain: Any) -> Any:
    from claudedex.domain import Side
    from claudedex.trade_request import TradeRequest

    return TradeRequest(Side.BUY, chain.plain, "0.01", override="risky")


async def test_a_configured_relay_carries_the_order_and_the_journal_says_so(chain) -> None:
    async with RelayServer(chain.rpc_url) as relay, engine_with(
            chain, private_relay_url=relay.url) as engine:
        result = await engine.trade(buy(chain))
        journal = await details(engine, result.order_id)
    assert result.state == "filled", result.detail
    assert relay.private_hashes == [result.tx_hash]  # the relay, not the public pool
    assert journal["broadcast"] == "broadcast via private relay"


async def test_a_relay_that_is_down_fails_the_order_and_nothing_goes_public(chain) -> None:
    relay = RelayServer(chain.rpc_url)
    url = await relay.start()
    await relay.stop()  # its port is now closed: connection refused
    async with engine_with(chain, private_relay_url=url) as engine:
        sender = engine.kernel.signer.address
        before = chain.w3.eth.get_transaction_count(sender)
        result = await engine.trade(buy(chain))
        journal = await details(engine, result.order_id)
    assert result.state == "failed"
    assert "private relay" in journal["failed"] and "unreachable" in journal["failed"]
    assert chain.w3.eth.get_transaction_count(sender) == before  # nothing reached the chain
    assert chain.rpc("txpool_content", [])["pending"] == {}  # nor the public pool


async def test_with_fallback_a_down_relay_sends_publicly_and_audits_it(chain) -> None:
    relay = RelayServer(chain.rpc_url)
    url = await relay.start()
    await relay.stop()
    async with engine_with(chain, private_relay_url=url,
                           private_relay_fallback_public=True) as engine:
        result = await engine.trade(buy(chain))
        journal = await details(engine, result.order_id)
        audited = [(e.actor, e.action) for e in await engine.kernel.audit.entries()]
    assert result.state == "filled", result.detail
    assert journal["broadcast"] == "broadcast via private relay, public fallback"
    assert ("execution", "relay_fallback_public") in audited


async def test_an_aggregator_that_beats_the_venues_is_taken_and_recorded(chain) -> None:
    async with AggregatorServer(chain.rpc_url, chain.deployment.weth, chain.venues(), 31337,
                                claim_bps=10) as agg, engine_with(
            chain, aggregator_url=agg.url) as engine:
        result = await engine.trade(buy(chain))
        journal = await details(engine, result.order_id)
    assert result.state == "filled", result.detail
    assert len(agg.swaps) == 1 and agg.swaps[0]["src"].lower() != chain.plain.lower()
    assert journal["journaled"].startswith("aggregator:")


async def test_an_aggregator_no_better_than_the_venues_is_not_taken(chain) -> None:
    async with AggregatorServer(chain.rpc_url, chain.deployment.weth, chain.venues(),
                                31337) as agg, engine_with(chain, aggregator_url=agg.url) as engine:
        result = await engine.trade(buy(chain))
        journal = await details(engine, result.order_id)
    assert result.state == "filled", result.detail
    assert agg.swaps and not journal["journaled"].startswith("aggregator:")


async def test_dexscreener_pairs_reach_safety_once_and_only_on_our_venues(chain) -> None:
    from claudedex.apis.testing.servers import ApiData, ApiServer, dexscreener_pair
    from claudedex.bus import EventBus
    from claudedex.config import load_profile
    from claudedex.events import PairDiscovered, RiskAssessed
    from claudedex.kernel import Resources
    from claudedex.rpc import async_web3
    from claudedex.safety.analyzer import SafetyAnalyzer
    from claudedex.wiring_integrations import dexscreener_watcher

    weth, plain, taxed = chain.deployment.weth.lower(), chain.plain.lower(), chain.taxed.lower()
    abi = [{"name": "getPair", "type": "function", "stateMutability": "view",
            "inputs": [{"type": "address"}, {"type": "address"}],
            "outputs": [{"type": "address"}]}]

    def pair_of(venue: str, token: str) -> str:
        factory = chain.w3.eth.contract(address=chain.deployment.venues[venue].factory, abi=abi)
        return str(factory.functions.getPair(token, chain.deployment.weth).call()).lower()

    real = {name: pair_of(name, chain.plain) for name in ("uniswap", "sushiswap")}
    taxed_pair = pair_of("uniswap", chain.taxed)
    data = ApiData()
    for tok in (plain, taxed):
        data.profiles.append({"chainId": "devnet", "tokenAddress": tok, "url": "", "links": []})

    def listed(pair: str, token: str, dex: str) -> None:
        data.pairs.append(dexscreener_pair("devnet", pair, (token, "T", "T"),
                                           (weth, "WETH", "WETH"), "0.001", 1e5, 0, dex_id=dex))

    listed(real["uniswap"], plain, "uniswap")  # genuine: published
    listed("0x" + "ab" * 20, plain, "uniswap")  # not the factory's pair: refused
    listed(real["sushiswap"], plain, "pancakeswap")  # a venue the profile lacks: skipped
    listed(taxed_pair, taxed, "uniswap")  # genuine, but the follower already has it
    profile = load_profile("devnet")
    from claudedex.config import VenueConfig

    profile = profile.model_copy(update={
        "venues": tuple(VenueConfig(name=n, factory=v.factory, router=v.router)
                        for n, v in chain.deployment.venues.items()),
        "chain": profile.chain.model_copy(update={"quote_token": chain.deployment.weth})})
    bus, res = EventBus(), Resources()
    discovered = bus.subscribe("test", [PairDiscovered.topic])
    reports = bus.subscribe("reports", [RiskAssessed.topic])
    w3 = async_web3(chain.rpc_url)
    followed: dict[str, tuple[str, bool]] = {taxed_pair: (taxed, False)}
    async with ApiServer(data) as server:
        profile = profile.model_copy(update={"apis": profile.apis.model_copy(update={
            "dexscreener_url": server.url})})
        watcher = dexscreener_watcher(profile, bus, w3, res, chain_slug="devnet",
                                      followed=followed)
        assert watcher is not None
        analyzer = SafetyAnalyzer(bus, w3, profile.venues, profile.chain.quote_token, None,
                                  chain_id=31337)
        task = asyncio.create_task(analyzer.run())
        try:
            first = await watcher.step()
            again = await watcher.step()
            report = await asyncio.wait_for(reports.get(), timeout=60)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await res.close()
            await w3.provider.disconnect()
    assert [(i.pair, i.venue, i.token) for i in first] == [(real["uniswap"], "uniswap", plain)]
    assert again == []
    assert followed[real["uniswap"]] == (plain, int(weth, 16) < int(plain, 16))
    events = []
    while (ev := discovered.get_nowait()) is not None:
        events.append(ev)
    assert [(e.pair.pair, e.source) for e in events] == [(real["uniswap"], "dexscreener")]
    assert isinstance(report, RiskAssessed) and report.report.token.lower() == plain
    assert reports.get_nowait() is None  # judged once
