"""Every zoo family judged on a real anvil: the scams scam, the honest safe.

The zoo is used only to *create* tokens; the assessor sees nothing but the chain (it never
reads labels or the zoo registry). One module-scoped chain, all reports computed once.
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
from claudedex.safety.assess import TokenAssessor

pytestmark = [pytest.mark.anvil, pytest.mark.slow]


@pytest.fixture(scope="module")
def zoo_reports() -> Iterator[dict[str, tuple[RiskReport, Any]]]:
    anvil, w3, dep = start_devnet_chain()
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        rng = random.Random(5)
        venue = dep.venue("uniswap")
        launched = {}
        for fam in FAMILIES:
            tok = deploy_family(w3, fam, owner, name=f"{fam} token", symbol="ZOO",
                                supply=10**27, rng=rng, deployment=dep)
            pair = launch(w3, tok, venue.router, token_amount=8 * 10**26, eth_amount=10**19)
            launched[fam] = (tok, pair)

        async def judge() -> dict[str, tuple[RiskReport, Any]]:
            aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
            try:
                assessor = TokenAssessor(aw3, chain_id=dep.chain_id)
                out = {}
                for fam, (tok, pair) in launched.items():
                    out[fam] = (await assessor.assess(token=tok.address, pair=pair,
                                                      quote=dep.weth, router=venue.router), tok)
                return out
            finally:
                await aw3.provider.disconnect()

        yield asyncio.run(judge())
    finally:
        anvil.stop()


def _codes(report: RiskReport) -> set[str]:
    return {f.code for f in report.findings}


SCAM_PROOF = {
    "honeypot": "HONEYPOT",
    "extreme_sell_tax": "EXTREME_SELL_TAX",
    "max_sell_trap": "MAX_SELL_TRAP",
    "cooldown": "SELL_COOLDOWN",
    "owner_pause": "OWNER_CAN_BLOCK_TRADING",
    "owner_blacklist": "OWNER_CAN_BLOCK_TRADING",
    "hidden_mint": "OWNER_CAN_MINT",
    "fake_renounce": "OWNER_CAN_RAISE_SELL_TAX",
    "proxy_swap": "OWNER_CAN_BLOCK_TRADING",
    "lying_balance": "LYING_BALANCE",
    "gas_trap": "GAS_TRAP",
    "tax_hike": "OWNER_CAN_RAISE_SELL_TAX",
}


@pytest.mark.parametrize("family", sorted(SCAM_PROOF))
def test_scam_family_is_scam_with_its_proof(
    zoo_reports: dict[str, tuple[RiskReport, Any]], family: str
) -> None:
    report, _ = zoo_reports[family]
    assert report.verdict is Verdict.SCAM, report.findings
    assert SCAM_PROOF[family] in _codes(report), report.findings


@pytest.mark.parametrize("family", ["honest_renounced", "honest_ownable", "honest_fixed_tax"])
def test_honest_family_is_safe(zoo_reports: dict[str, tuple[RiskReport, Any]],
                               family: str) -> None:
    report, _ = zoo_reports[family]
    assert report.verdict is Verdict.SAFE, report.findings


def test_rug_pull_is_risky_before_the_rug(
    zoo_reports: dict[str, tuple[RiskReport, Any]],
) -> None:
    """Code like an honest Ownable token's; the deployer's unlocked LP makes it risky (the
    honest families burn theirs), so buying it needs the operator's typed override."""
    report, _ = zoo_reports["rug_pull"]
    assert "LP_UNLOCKED" in _codes(report)
    assert report.verdict is Verdict.RISKY, report.findings


def test_fixed_tax_is_measured_exactly(zoo_reports: dict[str, tuple[RiskReport, Any]]) -> None:
    report, token = zoo_reports["honest_fixed_tax"]
    tax = int(token.extra["tax_bps"])
    assert report.buy_tax_bps is not None and report.sell_tax_bps is not None
    assert abs(report.buy_tax_bps - tax) <= 15
    assert abs(report.sell_tax_bps - tax) <= 15


def test_owner_findings_name_function_and_caller(
    zoo_reports: dict[str, tuple[RiskReport, Any]],
) -> None:
    report, token = zoo_reports["owner_pause"]
    f = next(f for f in report.findings if f.code.startswith("OWNER_CAN_"))
    assert f.evidence["function"] == "setTrading(bool)"
    assert f.evidence["caller"] == token.owner.address.lower()
    hidden, htoken = zoo_reports["fake_renounce"]
    f = next(f for f in hidden.findings if f.code == "OWNER_CAN_RAISE_SELL_TAX")
    assert f.evidence["caller"] == str(htoken.extra["hidden_admin"]).lower()
    assert f.evidence["role"] != "owner"


def test_extreme_sell_tax_measured(zoo_reports: dict[str, tuple[RiskReport, Any]]) -> None:
    report, _ = zoo_reports["extreme_sell_tax"]
    assert report.sell_tax_bps is not None and report.sell_tax_bps >= 5000
