"""Execution is the last gate before signing: a buy whose token was re-assessed as a scam
after the operator approved it (a mempool rug warning, the settled re-check) is not bought,
and one re-assessed as risky needs the typed override the operator never gave."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from claudedex.domain import RiskReport, Verdict
from claudedex.events import OrderUpdated, ProposalDecided, RiskAssessed

pytestmark = pytest.mark.anvil
FINAL = {"filled", "failed", "cancelled"}


async def _run_decisions(rig: Any, token: str, verdict: Verdict,
                         decisions: list[ProposalDecided]) -> dict[str, str]:
    sub = rig.bus.subscribe("test-orders", [OrderUpdated.topic])
    runner = asyncio.create_task(rig.engine.run())
    try:
        async with asyncio.timeout(30):
            while "execution" not in rig.bus.stats():  # noqa: ASYNC110 - the bus's own table
                await asyncio.sleep(0.01)
        await rig.bus.publish(RiskAssessed(report=RiskReport(token, "", verdict, ())))
        for decision in decisions:
            await rig.bus.publish(decision)
        finals: dict[str, str] = {}
        async with asyncio.timeout(60):
            async for ev in sub:
                if isinstance(ev, OrderUpdated) and ev.state in FINAL:
                    finals[ev.order_id] = ev.state
                    if len(finals) == len(decisions):
                        return finals
        raise AssertionError("orders did not finish")
    finally:
        runner.cancel()
        sub.close()


async def test_buy_of_a_token_now_judged_scam_is_refused(make_rig, chain,
                                                         make_proposal) -> None:
    rig = await make_rig()
    proposal = make_proposal(chain.plain, "buy", 10**16)  # verdict safe when approved
    finals = await _run_decisions(rig, chain.plain, Verdict.SCAM, [
        ProposalDecided(proposal_id=proposal.id, decision="approved", by="operator",
                        proposal=proposal)])
    assert finals == {f"o-{proposal.id}": "failed"}
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 0


async def test_risky_reassessment_needs_the_typed_override(make_rig, chain,
                                                           make_proposal) -> None:
    rig = await make_rig()
    safe = make_proposal(chain.plain, "buy", 10**16)
    accepted = dataclasses.replace(make_proposal(chain.plain, "buy", 10**16),
                                   verdict=Verdict.RISKY)  # typed RISKY override
    finals = await _run_decisions(rig, chain.plain, Verdict.RISKY, [
        ProposalDecided(proposal_id=safe.id, decision="approved", by="operator",
                        proposal=safe),
        ProposalDecided(proposal_id=accepted.id, decision="overridden", by="operator",
                        note="risky accepted", proposal=accepted)])
    assert finals == {f"o-{safe.id}": "failed", f"o-{accepted.id}": "filled"}
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 1
