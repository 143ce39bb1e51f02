"""No feature reads past its cut-off block: observations on a real anvil, before and after.

The same token is observed at one cut-off twice: right at the cut-off, and again after more
trades and a liquidity pull happened later. Every feature and the LSTM sequence must be the
same, because every state read and log query is pinned to the cut-off block.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from eth_account import Account
from web3 import AsyncWeb3, Web3

from claudedex.devnet.anvil import AnvilProcess
from claudedex.devnet.deployment import DevnetDeployment
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import FAMILIES, buy, deploy_family, launch, sell
from claudedex.devnet.zoo.trading import remove_all_liquidity_eth
from claudedex.ml.datagen import GenConfig, generate
from claudedex.ml.features import extract, sequence
from claudedex.ml.observe import SYNC_TOPIC, observe

pytestmark = pytest.mark.anvil
E18 = 10**18


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[AnvilProcess, Web3, DevnetDeployment]]:
    anvil, w3, dep = start_devnet_chain()
    try:
        yield anvil, w3, dep
    finally:
        anvil.stop()


def _created_block(w3: Web3, pair: str, since: int) -> int:
    logs = w3.eth.get_logs({"address": Web3.to_checksum_address(pair), "fromBlock": since,
                            "toBlock": "latest", "topics": [SYNC_TOPIC]})  # fmt: skip
    return int(logs[0]["blockNumber"])


def _observe(url: str, **kw: Any) -> Any:
    async def go() -> Any:
        aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(url))
        try:
            return await observe(aw3, **kw)
        finally:
            await aw3.provider.disconnect()

    return asyncio.run(go())


def test_observation_at_a_cutoff_ignores_everything_after_it(
    chain: tuple[AnvilProcess, Web3, DevnetDeployment],
) -> None:
    anvil, w3, dep = chain
    owner = Account.from_key(anvil.accounts[2].private_key)
    traders = [Account.from_key(a.private_key) for a in anvil.accounts[3:6]]
    router = dep.venue("uniswap").router
    tok = deploy_family(w3, "rug_pull", owner, name="Later Rug", symbol="LR", supply=10**27,
                        rng=random.Random(3), deployment=dep)
    since = w3.eth.block_number
    pair = launch(w3, tok, router, token_amount=8 * 10**26, eth_amount=5 * E18)
    created = _created_block(w3, pair, since)
    for t in traders:
        buy(w3, t, router, tok.address, E18 // 2)
    cutoff = w3.eth.block_number
    kw = dict(token=tok.address, pair=pair, quote=dep.weth, created_block=created,
              cutoff=cutoff, report=None, creator=owner.address)
    before = _observe(anvil.rpc_url, **kw)
    # after the cut-off: more buys, a sell, and the deployer pulls the liquidity
    buy(w3, traders[0], router, tok.address, 2 * E18)
    sell(w3, traders[1], router, tok.address, 10**20)
    remove_all_liquidity_eth(w3, owner, router, tok.address)
    assert w3.eth.block_number > cutoff + 2
    after = _observe(anvil.rpc_url, **kw)
    assert extract(after) == extract(before)
    np.testing.assert_array_equal(sequence(after), sequence(before))
    assert len(before.swaps) == len(traders) and all(s.is_buy for s in before.swaps)
    assert before.liq_cutoff > before.liq_created > 0
    # the same token observed later does see the pull: the pinning is what hid it
    late = _observe(anvil.rpc_url, **{**kw, "cutoff": w3.eth.block_number})
    assert late.liq_cutoff < before.liq_cutoff // 100


@pytest.mark.slow
def test_generated_launches_are_labelled_and_pinned_to_their_cutoff() -> None:
    examples = generate(GenConfig(launches=5, seed=4))
    assert len(examples) == 5
    for e in examples:
        assert e.family in FAMILIES and e.scam == FAMILIES[e.family].scam
        assert e.obs.cutoff == e.obs.created_block + 20
        assert e.obs.report is not None and e.obs.report.block_number <= e.obs.cutoff
        assert e.future_max_ratio >= 0.0
        extract(e.obs)  # raises on any event after the cut-off


def test_examples_from_a_recorded_market_run_use_only_early_reports(tmp_path: Any) -> None:
    from decimal import Decimal

    from claudedex.devnet.accounts import TOTAL_ACCOUNTS
    from claudedex.devnet.labels import read_labels
    from claudedex.devnet.market import MarketConfig
    from claudedex.devnet.sim import build_market
    from claudedex.domain import RiskReport, Verdict
    from claudedex.ml.history import examples_from_run

    anvil, w3, dep = start_devnet_chain(accounts=TOTAL_ACCOUNTS, data_dir=tmp_path)
    try:
        market = build_market(w3, dep, anvil.accounts, tmp_path, MarketConfig(
            seed=5, launch_rate_per_min=Decimal(60), max_launches=3))
        while market.stats.launches < 3 or w3.eth.block_number < (
                market.tokens[-1].launch_block + 70):
            market.tick()
        labels = read_labels(tmp_path / "labels.jsonl")
        first = next(r for r in labels if r["event"] == "launch")
        stored = {  # what the engine stored: one early report, one judged long after
            str(first["token"]): RiskReport(str(first["token"]), str(first["pair"]),
                                            Verdict.SAFE, (), block_number=int(
                                                first["launch_block"]) + 1),
        }

        async def report_for(token: str) -> RiskReport | None:
            if token in stored:
                return stored[token]
            return RiskReport(token, "", Verdict.SCAM, (), block_number=10**9)

        async def go() -> list[Any]:
            aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
            try:
                return await examples_from_run(aw3, labels, quote=dep.weth,
                                               report_for=report_for)
            finally:
                await aw3.provider.disconnect()

        examples = asyncio.run(go())
    finally:
        anvil.stop()
    assert len(examples) == 3
    by_token = {e.obs.token: e for e in examples}
    assert by_token[str(first["token"])].obs.report is not None
    assert sum(e.obs.report is None for e in examples) == 2  # late reports are dropped
    for e in examples:
        assert e.obs.cutoff == e.obs.created_block + 20
        extract(e.obs)
