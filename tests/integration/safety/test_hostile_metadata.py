"""Hostile token metadata through the whole pipeline on a real anvil: real ERC-20s whose
``decimals()``/``symbol()``/``name()``/``totalSupply()`` lie (the rest of the token works, so
they trade), discovered by the PairFollower, judged by the SafetyAnalyzer, observed for ML
and scanned by ``claudedex scan``: a BAD_DECIMALS finding with the raw value, never a crash."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from web3 import AsyncWeb3, Web3

from claudedex.bus import EventBus
from claudedex.devnet import hostile
from claudedex.devnet.artifacts import load_artifact
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import erc20_contract, factory_contract, router_contract
from claudedex.discovery.follower import PairFollower
from claudedex.discovery.state import MemoryStateStore
from claudedex.domain import PairInfo, Verdict
from claudedex.errors import ChainError
from claudedex.events import PairDiscovered, RiskAssessed
from claudedex.ml.features import N_FEATURES, extract
from claudedex.ml.observe import observe
from claudedex.safety.analyzer import SafetyAnalyzer
from claudedex.tokenmeta import DECIMALS, NAME, SYMBOL, TEXT_MAX, TOTAL_SUPPLY

pytestmark = pytest.mark.anvil

ROOT = Path(__file__).resolve().parents[3]
U256_MAX = 2**256 - 1
ESCAPES = b"\x1b]0;pwned\x07\x1b[2J[bold red]RUG[/]\xe2\x80\xae"
TOKENS: dict[str, dict[bytes, hostile.Reply]] = {
    # decimals 2**256-1 (a decimal.Overflow before), a 10 kB symbol of escapes, bad UTF-8
    "huge": {DECIMALS: hostile.word(U256_MAX),
             SYMBOL: hostile.abi_string((ESCAPES * 400)[:10_240]),
             NAME: hostile.abi_string(b"bad\xff\xfeutf8")},
    # no decimals() at all (a 77-line traceback before), symbol returns nothing, no supply
    "none": {DECIMALS: hostile.REVERTS, SYMBOL: hostile.NOTHING,
             NAME: hostile.abi_string(b"LIAR", claimed_length=2**200),
             TOTAL_SUPPLY: hostile.REVERTS},
}


@dataclass(frozen=True)
class Launched:
    rpc_url: str
    w3: Web3
    dep: Any
    tokens: dict[str, str]  # label -> token address (lower-case)
    pairs: dict[str, str]  # label -> pair address (lower-case)
    blocks: dict[str, int]  # label -> block of the pair's creation


@pytest.fixture(scope="module")
def launched() -> Iterator[Launched]:
    anvil, w3, dep = start_devnet_chain()
    try:
        sender = Sender.from_dev(w3, anvil.accounts[1])
        venue = dep.venue("uniswap")
        tokens, pairs, blocks = {}, {}, {}
        for label, answers in TOKENS.items():
            token = Web3.to_checksum_address(sender.deploy(
                load_artifact("ERC20").bytecode, encode(["uint256"], [10**24])))
            hostile.wrap_token(w3, token, answers)  # lies from now on, still trades
            sender.transact(erc20_contract(w3, token).functions.approve(venue.router, U256_MAX))
            sender.transact(router_contract(w3, venue).functions.addLiquidityETH(
                token, 10**23, 0, 0, sender.address, 2**40), value=5 * 10**18)
            pair = factory_contract(w3, venue).functions.getPair(token, dep.weth).call()
            tokens[label], pairs[label] = token.lower(), str(pair).lower()
            blocks[label] = int(w3.eth.block_number)
        yield Launched(anvil.rpc_url, w3, dep, tokens, pairs, blocks)
    finally:
        anvil.stop()


async def test_follower_and_analyzer_report_the_finding(launched: Launched) -> None:
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(launched.rpc_url))
    dep = launched.dep
    bus = EventBus()
    sub = bus.subscribe("test", [PairDiscovered.topic, RiskAssessed.topic])
    follower = PairFollower(bus, aw3, {n: v.factory for n, v in dep.venues.items()}, dep.weth,
                            dep.chain_id, MemoryStateStore(), start_block=0)
    analyzer = SafetyAnalyzer(bus, aw3, {n: v.router for n, v in dep.venues.items()}, dep.weth,
                              chain_id=dep.chain_id, settle_blocks=0)
    try:
        await follower.step()  # every PairCreated so far, metadata read for each
        found: dict[str, PairInfo] = {}
        while (event := sub.get_nowait()) is not None:
            if isinstance(event, PairDiscovered):
                found[event.pair.token] = event.pair
        for label, token in launched.tokens.items():
            info = found[token]
            assert info.decimals == 18  # shown at 18; safety says why (BAD_DECIMALS)
            assert len(info.symbol) <= TEXT_MAX and len(info.name) <= TEXT_MAX
            assert not any(ch in info.symbol + info.name for ch in "\x1b\x07\u202e")
            report = await analyzer.assess_pair(info)  # what analyzer.run does per event
            assert report is not None, label
            codes = {f.code: f for f in report.findings}
            assert "CHECKS_FAILED" not in codes, codes
            bad = codes["BAD_DECIMALS"]
            assert bad.evidence["raw"] == {"huge": str(U256_MAX), "none": "reverted"}[label]
            assert report.verdict in (Verdict.RISKY, Verdict.SCAM)
            assert report.liquidity_quote == 5 * 10**18  # the rest of the checks ran
            published = sub.get_nowait()
            assert isinstance(published, RiskAssessed) and published.report == report
        huge = analyzer.reports[launched.tokens["huge"]]
        assert huge.verdict is Verdict.RISKY  # an honest token apart from its metadata
        assert {"ODD_METADATA", "ROUND_TRIP"} <= {f.code for f in huge.findings}
    finally:
        await aw3.provider.disconnect()


async def test_a_node_error_while_reading_metadata_loses_no_pair(
        launched: Launched, monkeypatch: pytest.MonkeyPatch) -> None:
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(launched.rpc_url))
    dep = launched.dep
    bus = EventBus()
    sub = bus.subscribe("test", [PairDiscovered.topic])
    follower = PairFollower(bus, aw3, {n: v.factory for n, v in dep.venues.items()}, dep.weth,
                            dep.chain_id, MemoryStateStore(), start_block=0)
    real_call = follower.reader.call
    failed: list[str] = []

    async def flaky(to: str, data: bytes, **kw: Any) -> bytes | None:
        if to == launched.tokens["huge"] and not failed:
            failed.append(to)
            raise ChainError("eth_call: node unreachable: connection reset")
        return await real_call(to, data, **kw)

    monkeypatch.setattr(follower.reader, "call", flaky)
    try:
        with pytest.raises(ChainError):
            await follower.step()  # the poll loop logs this and steps again
        await follower.step()
        found = set()
        while (event := sub.get_nowait()) is not None:
            assert isinstance(event, PairDiscovered)
            found.add(event.pair.token)
        assert found == set(launched.tokens.values())
    finally:
        await aw3.provider.disconnect()


async def test_ml_observation_of_a_token_without_supply(launched: Launched) -> None:
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(launched.rpc_url))
    try:
        block = launched.blocks["none"]
        obs = await observe(aw3, token=launched.tokens["none"], pair=launched.pairs["none"],
                            quote=launched.dep.weth.lower(), created_block=block,
                            cutoff=block, report=None)
        assert obs.supply_created == obs.supply_cutoff == 0  # totalSupply() reverts
        assert len(extract(obs)) == N_FEATURES
    finally:
        await aw3.provider.disconnect()


def _scan(launched: Launched, *extra: str) -> subprocess.CompletedProcess[str]:
    venue = launched.dep.venue("uniswap")
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "scan",
         "--rpc-url", launched.rpc_url, "--router", venue.router,
         "--token", launched.tokens["huge"], launched.tokens["none"], "--no-owner-probe",
         *extra], capture_output=True, text=True, cwd=ROOT, timeout=180, check=False)


def test_scan_prints_the_finding(launched: Launched) -> None:
    done = _scan(launched, "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    by_token = {r["token"]: r for r in lines}
    assert set(by_token) == set(launched.tokens.values())
    for label, raw in (("huge", str(U256_MAX)), ("none", "reverted")):
        rep = by_token[launched.tokens[label]]
        bad = [f for f in rep["findings"] if f["code"] == "BAD_DECIMALS"]
        assert bad and bad[0]["severity"] == "high" and bad[0]["evidence"]["raw"] == raw
        assert rep["verdict"] in ("risky", "scam")
    human = _scan(launched)
    assert human.returncode == 0, human.stderr
    assert human.stdout.count("[high] BAD_DECIMALS") == 2
    assert "\x1b" not in human.stdout and "Traceback" not in human.stderr
