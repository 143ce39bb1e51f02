"""The honest families issue 14 found judged ``scam`` are judged as labelled now, on zoos
redeployed from two seeds: a reflection token (2 % shared with holders) and a widely held
token whose live owner can freeze accounts, with LP burned and no tax. The assessor sees
only the chain."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import deploy_family, launch
from claudedex.domain import RiskReport, Severity, Verdict
from claudedex.safety.assess import TokenAssessor

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

FAMILIES = ("honest_reflection", "honest_blocklist", "owner_blacklist")
SEEDS = (5, 11)


@pytest.fixture(scope="module")
def reports() -> Iterator[dict[tuple[str, int], RiskReport]]:
    anvil, w3, dep = start_devnet_chain()
    try:
        venue = dep.venue("uniswap")
        launched = {}
        for seed in SEEDS:
            rng = random.Random(seed)
            for i, fam in enumerate(FAMILIES):
                owner = Account.from_key(anvil.accounts[2 + i].private_key)
                tok = deploy_family(w3, fam, owner, name=f"{fam} {seed}", symbol="Z",
                                    supply=10**27, rng=rng, deployment=dep)
                pair = launch(w3, tok, venue.router, token_amount=6 * 10**26,
                              eth_amount=8 * 10**18)
                launched[(fam, seed)] = (tok, pair)

        async def judge() -> dict[tuple[str, int], RiskReport]:
            aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
            try:
                assessor = TokenAssessor(aw3, chain_id=dep.chain_id)
                return {key: await assessor.assess(token=tok.address, pair=pair,
                                                   quote=dep.weth, router=venue.router)
                        for key, (tok, pair) in launched.items()}
            finally:
                await aw3.provider.disconnect()

        yield asyncio.run(judge())
    finally:
        anvil.stop()


def _codes(report: RiskReport) -> set[str]:
    return {f.code for f in report.findings}


@pytest.mark.parametrize("seed", SEEDS)
def test_reflection_token_is_safe_and_its_balances_are_computed_not_lying(
    reports: dict[tuple[str, int], RiskReport], seed: int
) -> None:
    report = reports[("honest_reflection", seed)]
    assert report.verdict is Verdict.SAFE, report.findings
    assert "LYING_BALANCE" not in _codes(report)
    computed = [f for f in report.findings if f.evidence.get("was") == "LYING_BALANCE"]
    assert computed and all(f.severity in (Severity.INFO, Severity.LOW) for f in computed)


@pytest.mark.parametrize("seed", SEEDS)
def test_blocklist_owner_with_burned_lp_is_risky_not_scam(
    reports: dict[tuple[str, int], RiskReport], seed: int
) -> None:
    report = reports[("honest_blocklist", seed)]
    assert report.verdict is Verdict.RISKY, report.findings
    blocks = [f for f in report.findings if f.code.startswith("OWNER_CAN_BLOCK")]
    assert blocks and all(f.severity is Severity.HIGH for f in blocks)
    assert blocks[0].evidence["rule"] == "live_owner_can_block"
    assert "LP_BURNED" in _codes(report) and "LP_UNLOCKED" not in _codes(report)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_same_power_with_the_lp_in_the_owners_hands_stays_scam(
    reports: dict[tuple[str, int], RiskReport], seed: int
) -> None:
    report = reports[("owner_blacklist", seed)]
    assert report.verdict is Verdict.SCAM, report.findings
    blocks = [f for f in report.findings if f.code.startswith("OWNER_CAN_BLOCK")]
    assert any(f.evidence.get("rule") == "blocks_with_pullable_lp" for f in blocks)
