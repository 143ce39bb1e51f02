"""PairFollower -> SafetyAnalyzer on one bus and a real anvil: RiskAssessed per new pair,
a re-judgement once liquidity arrives, and a re-judgement on an early warning."""

from __future__ import annotations

import asyncio
import random

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import deploy_family, launch
from claudedex.discovery.follower import PairFollower
from claudedex.discovery.state import MemoryStateStore
from claudedex.domain import Verdict
from claudedex.events import EarlyWarningRaised, RiskAssessed
from claudedex.safety.analyzer import SafetyAnalyzer

pytestmark = pytest.mark.anvil


async def _next_report(sub: object, token: str, funded: bool = True) -> RiskAssessed:
    """The next report on ``token`` (by default: one judged on a pool with liquidity)."""

    async def wait() -> RiskAssessed:
        async for ev in sub:  # type: ignore[attr-defined]
            if isinstance(ev, RiskAssessed) and ev.report.token.lower() == token:
                if not funded or ev.report.liquidity_quote is not None:
                    return ev
        raise AssertionError("subscription closed")

    return await asyncio.wait_for(wait(), timeout=60)


async def test_pipeline_judges_new_pairs() -> None:
    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    bus = EventBus()
    sub = bus.subscribe("test", [RiskAssessed.topic])
    venues = {n: v.factory for n, v in dep.venues.items()}
    follower = PairFollower(bus, aw3, venues, dep.weth, dep.chain_id, MemoryStateStore(),
                            poll_interval_s=0.05)
    analyzer = SafetyAnalyzer(bus, aw3, {n: v.router for n, v in dep.venues.items()}, dep.weth,
                              chain_id=dep.chain_id, settle_blocks=0)
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(follower.run()), tg.create_task(analyzer.run())]
            await asyncio.sleep(0.2)
            owner = Account.from_key(anvil.accounts[3].private_key)
            router = dep.venue("uniswap").router
            hp = deploy_family(w3, "honeypot", owner, name="H", symbol="H", supply=10**27,
                               rng=random.Random(2), deployment=dep)
            await asyncio.to_thread(launch, w3, hp, router, token_amount=10**26,
                                    eth_amount=10**18)
            report = (await _next_report(sub, hp.address.lower())).report
            assert report.verdict is Verdict.SCAM

            # created empty by its constructor: judged again once liquidity is added
            tax = deploy_family(w3, "honest_fixed_tax", owner, name="T", symbol="T",
                                supply=10**27, rng=random.Random(2), deployment=dep)
            first = (await _next_report(sub, tax.address.lower(), funded=False)).report
            assert "NO_LIQUIDITY" in {f.code for f in first.findings}
            await asyncio.to_thread(launch, w3, tax, router, token_amount=10**26,
                                    eth_amount=10**18)
            second = (await _next_report(sub, tax.address.lower())).report
            assert second.verdict is Verdict.SAFE and second.sell_tax_bps

            await bus.publish(EarlyWarningRaised(token=hp.address, kind="pause", detail="x"))
            again = (await _next_report(sub, hp.address.lower())).report
            assert again.verdict is Verdict.SCAM
            for t in tasks:
                t.cancel()
    finally:
        await aw3.provider.disconnect()
        anvil.stop()
