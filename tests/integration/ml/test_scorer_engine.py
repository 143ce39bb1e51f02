"""MLScorer on a real bus and a real anvil: reports in, TokenScored out at the cut-off.

Also: without a trained model the scorer tells the operator once and publishes no score.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import buy, deploy_family, launch
from claudedex.domain import PairInfo
from claudedex.events import AlertRaised, PairDiscovered, RiskAssessed, TokenScored
from claudedex.ml import dataset, registry
from claudedex.ml.scorer import MLScorer
from claudedex.ml.serve import Scorer
from claudedex.ml.training import train
from claudedex.safety.assess import TokenAssessor

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
FIXTURE = Path(__file__).parents[2] / "unit" / "ml" / "fixtures" / "launches.jsonl"
E18 = 10**18


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("reg")
    result = train(dataset.load(FIXTURE), seed=2)
    registry.save(tmp, result.ensemble, metrics=result.metrics, data_range=result.data_range)
    return tmp


async def _collect(sub: Any, n: int, wait_s: float) -> list[Any]:
    out: list[Any] = []

    async def take() -> None:
        async for ev in sub:
            out.append(ev)
            if len(out) >= n:
                return

    try:
        await asyncio.wait_for(take(), wait_s)
    except TimeoutError:
        pass
    return out


def test_reports_become_scores_at_the_cutoff(model_dir: Path) -> None:
    anvil, w3, dep = start_devnet_chain()
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        buyer = Account.from_key(anvil.accounts[3].private_key)
        router = dep.venue("uniswap").router
        launched = []
        for fam in ("honeypot", "honest_renounced"):
            tok = deploy_family(w3, fam, owner, name=fam, symbol="T", supply=10**27,
                                rng=random.Random(1), deployment=dep)
            created = w3.eth.block_number + 1
            pair = launch(w3, tok, router, token_amount=8 * 10**26, eth_amount=5 * E18)
            buy(w3, buyer, router, tok.address, E18 // 4)
            launched.append((tok.address, pair, created))

        async def scenario() -> tuple[list[Any], int]:
            aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
            bus = EventBus()
            scorer = MLScorer(bus, Scorer.from_registry(model_dir), aw3, quote=dep.weth,
                              poll_s=0.05)
            out = bus.subscribe("test", [TokenScored.topic])
            assessor = TokenAssessor(aw3, chain_id=dep.chain_id)
            try:
                async with asyncio.TaskGroup() as tg:
                    task = tg.create_task(scorer.run())
                    await asyncio.sleep(0.2)
                    for token, pair, created in launched:
                        info = PairInfo(dep.chain_id, "uniswap", pair, token, dep.weth, created)
                        report = await assessor.assess(token=token, pair=pair, quote=dep.weth,
                                                       router=router, block_number=created)
                        await bus.publish(PairDiscovered(pair=info))
                        await bus.publish(RiskAssessed(report=report))
                    await asyncio.sleep(0.3)
                    early = scorer.scored  # nothing scored before the cut-off block
                    for _ in range(25):
                        await aw3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
                    events = await _collect(out, 2, 30.0)
                    task.cancel()
                return events, early
            finally:
                await aw3.provider.disconnect()

        events, early = asyncio.run(scenario())
    finally:
        anvil.stop()
    assert early == 0
    scores = {ev.score.token: ev.score for ev in events}
    assert set(scores) == {t for t, _, _ in launched}
    honeypot, honest = (scores[t] for t, _, _ in launched)
    assert honeypot.scam_probability > honest.scam_probability
    assert honeypot.contributions[-1][0] == "pump_probability"
    assert honeypot.model_version == registry.latest(model_dir).name  # type: ignore[union-attr]


def test_without_a_model_the_scorer_alerts_once_and_scores_nothing(tmp_path: Path) -> None:
    async def scenario() -> list[Any]:
        bus = EventBus()
        aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider("http://127.0.0.1:9"))  # never called
        sub = bus.subscribe("test", [AlertRaised.topic, TokenScored.topic])
        scorer = MLScorer(bus, tmp_path / "empty-registry", aw3, quote="0x" + "00" * 20)
        task = asyncio.create_task(scorer.run())
        events = await _collect(sub, 2, 1.0)
        assert not task.done()  # idles instead of crashing the supervisor loop
        task.cancel()
        return events

    events = asyncio.run(scenario())
    assert [type(e) for e in events] == [AlertRaised]
    assert "claudedex train" in events[0].message
