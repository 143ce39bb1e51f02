"""Issue 14 items 1-2 on a real anvil: the victim's transaction and positions held into the
future judge the new zoo families as labelled, deployed from two seeds.

The zoo only creates the tokens; the assessor sees nothing but the chain.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import FAMILIES, deploy_family, launch
from claudedex.domain import RiskReport, Verdict
from claudedex.rpc.reader import ChainReader
from claudedex.safety.assess import TokenAssessor
from claudedex.safety.prober import Market
from claudedex.safety.victim import TIP_WEI, VICTIM, next_base_fee, victim_round_trip
from claudedex.safety.victim_findings import victim_findings
from tests.integration.rpc_proxy import JsonRpcProxy

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

SEEDS = (5, 11)
PROOF = {
    "gasprice_gate": "VICTIM_CANNOT_SELL",
    "codeless_seller_gate": "VICTIM_CANNOT_SELL",
    "contract_recipient_block": "HONEYPOT",
    "block_time_bomb": "SELLS_FAIL_LATER",
    "timestamp_tax_ramp": "SELL_TAX_RISES_LATER",
}
FAMILY_NAMES = (*PROOF, "honest_cooldown", "honest_renounced", "cooldown")


@pytest.fixture(scope="module")
def judged() -> Iterator[dict[tuple[str, int], tuple[RiskReport, Any]]]:
    anvil, w3, dep = start_devnet_chain()
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        venue = dep.venue("uniswap")
        launched = {}
        for seed in SEEDS:
            rng = random.Random(seed)
            for fam in FAMILY_NAMES:
                tok = deploy_family(w3, fam, owner, name=f"{fam} {seed}", symbol="ZOO",
                                    supply=10**27, rng=rng, deployment=dep)
                pair = launch(w3, tok, venue.router, token_amount=8 * 10**26, eth_amount=10**19)
                launched[(fam, seed)] = (tok, pair)

        async def judge() -> dict[tuple[str, int], tuple[RiskReport, Any]]:
            aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
            try:
                assessor = TokenAssessor(aw3, chain_id=dep.chain_id)
                return {key: (await assessor.assess(token=tok.address, pair=pair,
                                                    quote=dep.weth, router=venue.router), tok)
                        for key, (tok, pair) in launched.items()}
            finally:
                await aw3.provider.disconnect()

        yield asyncio.run(judge())
    finally:
        anvil.stop()


def _codes(report: RiskReport) -> set[str]:
    return {f.code for f in report.findings}


def _finding(report: RiskReport, code: str) -> Any:
    return next(f for f in report.findings if f.code == code)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("family", sorted(PROOF))
def test_new_scam_family_is_scam_with_its_proof(
    judged: dict[tuple[str, int], tuple[RiskReport, Any]], family: str, seed: int
) -> None:
    report, _ = judged[(family, seed)]
    assert FAMILIES[family].scam
    assert report.verdict is Verdict.SCAM, report.findings
    assert PROOF[family] in _codes(report), report.findings


@pytest.mark.parametrize("seed", SEEDS)
def test_short_cooldown_is_risky_with_its_duration_not_scam(
    judged: dict[tuple[str, int], tuple[RiskReport, Any]], seed: int
) -> None:
    report, _ = judged[("honest_cooldown", seed)]
    assert report.verdict is not Verdict.SCAM, report.findings
    cooldown = _finding(report, "SELL_COOLDOWN")
    assert 30 <= int(cooldown.evidence["duration_s"]) <= 600
    assert "VICTIM_CANNOT_SELL" not in _codes(report)


@pytest.mark.parametrize("seed", SEEDS)
def test_week_long_cooldown_is_still_a_scam(
    judged: dict[tuple[str, int], tuple[RiskReport, Any]], seed: int
) -> None:
    report, _ = judged[("cooldown", seed)]
    assert report.verdict is Verdict.SCAM
    assert int(_finding(report, "SELL_COOLDOWN").evidence["duration_s"]) > 7 * 86400


@pytest.mark.parametrize("seed", SEEDS)
def test_honest_token_wallet_and_contract_agree_at_every_horizon(
    judged: dict[tuple[str, int], tuple[RiskReport, Any]], seed: int
) -> None:
    report, _ = judged[("honest_renounced", seed)]
    assert report.verdict is Verdict.SAFE, report.findings
    trade = _finding(report, "VICTIM_TRADE").evidence
    assert trade["method"] == "eth_simulateV1"
    assert trade["buy_ok"] == trade["sell_ok"] == "True"
    assert int(trade["gas_price"]) == int(trade["base_fee"]) + TIP_WEI > TIP_WEI
    horizons = {k: v for k, v in trade.items() if k.startswith("horizon ")}
    assert len(horizons) == 8 and all(v.startswith("ok tax_bps=0") for v in horizons.values())
    held = _finding(report, "HELD_INTO_FUTURE").evidence
    assert all("held_sell=ok tax_bps=0" in v for v in held.values()), held
    assert not {c for c in _codes(report) if c.startswith(("VICTIM_CANNOT", "VICTIM_PROBER"))}


def test_contract_buyers_blocked_taxes_come_from_the_wallet(
    judged: dict[tuple[str, int], tuple[RiskReport, Any]],
) -> None:
    report, _ = judged[("contract_recipient_block", SEEDS[0])]
    assert {"BUY_FAILS", "CONTRACT_BUYERS_BLOCKED"} <= _codes(report)
    assert report.buy_tax_bps == 0


def test_tax_ramp_names_the_horizon(
    judged: dict[tuple[str, int], tuple[RiskReport, Any]],
) -> None:
    report, token = judged[("timestamp_tax_ramp", SEEDS[0])]
    rise = _finding(report, "SELL_TAX_RISES_LATER")
    assert int(rise.evidence["later_tax_bps"]) >= 8900
    assert int(rise.evidence["seconds"]) >= token.extra["ramp_after_s"]
    assert int(rise.evidence["launch_tax_bps"]) <= 200


# --- the pinned fields: what the simulated wallet transaction sees versus a real one ----

def _push(v: int) -> bytes:
    return bytes([0x60, v]) if v < 256 else bytes([0x61]) + v.to_bytes(2, "big")


# Runtime that returns 12 words: gasprice, basefee, origin, caller, extcodesize(caller),
# number, timestamp, gaslimit, coinbase, chainid, balance(origin), gasleft.
_READS = [b"\x3a", b"\x48", b"\x32", b"\x33", b"\x33\x3b", b"\x43", b"\x42", b"\x45", b"\x41",
          b"\x46", b"\x32\x31", b"\x5a"]
ECHO_RUNTIME = b"".join(op + _push(32 * i) + b"\x52" for i, op in enumerate(_READS)) + (
    _push(32 * len(_READS)) + _push(0) + b"\xf3")
ECHO_INIT = (_push(len(ECHO_RUNTIME)) + b"\x80" + _push(11) + _push(0) + b"\x39" + _push(0)
             + b"\xf3")  # CODECOPY the runtime that follows these 11 bytes, RETURN it


async def test_simulated_wallet_sees_what_a_real_next_transaction_sees() -> None:
    """Gas price, base fee, origin, caller code size, number, gas limit, coinbase, chain id and
    balance as the token would read them: simulated with the victim's environment, then a
    real transaction in the next block with the same fees."""
    from claudedex.safety.victim import VICTIM_GAS, wallet_env

    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        sender = Account.from_key(anvil.accounts[3].private_key)
        tx: Any = {"from": sender.address, "data": "0x" + (ECHO_INIT + ECHO_RUNTIME).hex(),
              "gas": 200_000}
        echo = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))[
            "contractAddress"]
        reader = ChainReader(aw3)
        head = await reader.block("latest")
        env = wallet_env(head, 10**17)
        n0, t0 = int(head["number"], 16), int(head["timestamp"], 16)
        block = {"blockOverrides": {**env.block, "number": hex(n0 + 1), "time": hex(t0 + 12)},
                 "stateOverrides": env.state,
                 "calls": [{"from": VICTIM, "to": echo, "data": "0x", "gas": hex(VICTIM_GAS),
                            **env.fees}]}
        sim = await reader.request("eth_simulateV1", [{"blockStateCalls": [block],
                                                       "validation": True}, "latest"])
        call = sim[0]["calls"][0]
        assert call["status"] == "0x1", call
        raw = bytes.fromhex(call["returnData"][2:])
        w = [int.from_bytes(raw[i * 32:(i + 1) * 32], "big") for i in range(12)]
        victim = int(VICTIM, 16)
        assert w[0] == env.base_fee + TIP_WEI and w[1] == env.base_fee == next_base_fee(head)
        assert w[2] == w[3] == victim and w[4] == 0  # origin == sender, no code
        assert w[5] == n0 + 1 and w[6] == t0 + 12
        assert w[7] == int(head["gasLimit"], 16) and w[8] == int(head["miner"], 16)
        assert w[9] == dep.chain_id
        assert 0 < w[10] <= 10**17 + 2 * 10**18
        assert 0 < w[11] < VICTIM_GAS
        # the same transaction, really sent next with the wallet's fee fields
        real_tx: Any = {
            "from": sender.address, "to": echo, "gas": VICTIM_GAS,
            "maxFeePerGas": int(env.fees["maxFeePerGas"], 16),
            "maxPriorityFeePerGas": int(env.fees["maxPriorityFeePerGas"], 16)}
        real = w3.eth.send_transaction(real_tx)
        receipt = w3.eth.wait_for_transaction_receipt(real)
        mined = w3.eth.get_block(receipt["blockNumber"])
        assert receipt["effectiveGasPrice"] == w[0]
        assert mined["baseFeePerGas"] == w[1]
        assert mined["number"] == w[5]
        assert mined["gasLimit"] == w[7] and int(mined["miner"], 16) == w[8]
    finally:
        await aw3.provider.disconnect()
        anvil.stop()


async def test_nodes_without_simulate_try_the_wallet_buy_by_eth_call() -> None:
    anvil, w3, dep = start_devnet_chain()
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        router = dep.venue("uniswap").router
        tok = deploy_family(w3, "honest_renounced", owner, name="F", symbol="F", supply=10**27,
                            rng=random.Random(3), deployment=dep)
        pair = launch(w3, tok, router, token_amount=10**26, eth_amount=10**19)
        reader = ChainReader(aw3)
        reader._simulate_ok = False  # what supports_simulate() remembers for such a node
        market = Market(router.lower(), dep.weth.lower(), tok.address.lower(), pair.lower())
        trip = await victim_round_trip(reader, market, 10**17, await reader.block("latest"))
        assert trip.method == "eth_call" and trip.buy.ok and trip.gas_price > TIP_WEI
        codes = {f.code for f in victim_findings(trip, prober_bought=True, prober_sold=True,
                                                 prober_buy_tax=0, prober_sell_tax=0,
                                                 known=set())}
        assert codes == {"VICTIM_TRADE", "VICTIM_SELL_UNTESTED"}
    finally:
        await aw3.provider.disconnect()
        anvil.stop()


class SpanLimitedNode(JsonRpcProxy):
    """A JSON-RPC proxy in front of anvil that refuses, like geth, any eth_simulateV1 whose
    blocks reach more than 256 blocks past the base block."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.refused = 0

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        body = await request.json()
        if isinstance(body, dict) and body["method"] == "eth_simulateV1":
            async with self._session.post(self.upstream, json={
                    "jsonrpc": "2.0", "id": 0, "method": "eth_blockNumber",
                    "params": []}) as resp:
                head = int((await resp.json())["result"], 16)
            numbers = [int(b.get("blockOverrides", {}).get("number", "0x0"), 16)
                       for b in body["params"][0]["blockStateCalls"]]
            if max(numbers, default=0) - head > 256:
                self.refused += 1
                return web.json_response({"jsonrpc": "2.0", "id": body["id"], "error": {
                    "code": -38026, "message": "too many blocks"}})
        async with self._session.post(self.upstream, json=body) as resp:
            return web.json_response(await resp.json())


async def test_nodes_limiting_the_block_span_still_get_every_time_horizon() -> None:
    anvil, w3, dep = start_devnet_chain()
    proxy = SpanLimitedNode(anvil.rpc_url)
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(await proxy.start()))
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        router = dep.venue("uniswap").router
        tok = deploy_family(w3, "timestamp_tax_ramp", owner, name="R", symbol="R",
                            supply=10**27, rng=random.Random(5), deployment=dep)
        pair = launch(w3, tok, router, token_amount=8 * 10**26, eth_amount=10**19)
        report = await TokenAssessor(aw3, chain_id=dep.chain_id).assess(
            token=tok.address, pair=pair, quote=dep.weth, router=router)
        assert proxy.refused >= 2  # the Prober's and the wallet's full requests
        assert report.verdict is Verdict.SCAM
        codes = _codes(report)
        assert "SELL_TAX_RISES_LATER" in codes and "SIMULATION_FAILED" not in codes
        assert _finding(report, "HELD_INTO_FUTURE").evidence["block_cap"] == "240"
        assert _finding(report, "VICTIM_TRADE").evidence["horizon_block_cap"] == "240"
    finally:
        await aw3.provider.disconnect()
        await proxy.stop()
        anvil.stop()
