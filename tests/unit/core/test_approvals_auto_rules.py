"""Auto-approve rules never bypass the verdict rules, and never crash the approval gate.

``approvals.auto_approve_verdicts`` may name ``risky``; a risky *buy* still needs the typed
override, so the auto rule must leave it pending for the operator. Before, the auto rule
called ``approve``, which refused with OverrideForbidden out of ``submit``: the approvals
component crashed and every proposal published while it restarted (stop-loss exits
included) was lost.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from claudedex.config import load_profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.events import ProposalDecided


def proposal(pid: str, verdict: Verdict, side: Side = Side.BUY) -> TradeProposal:
    return TradeProposal(
        id=pid, token="0xT", pair="0xP", venue="uniswap", side=side,
        amount_in=10**17, min_amount_out=970_000, quote_value=Decimal("0.1"),
        slippage_bps=300, verdict=verdict, symbol="TKN")


def engine(tmp_path: Path) -> Engine:
    profile = load_profile("devnet")
    approvals = profile.approvals.model_copy(update={"auto_approve_verdicts": ("safe", "risky"),
                                                     "auto_approve_below_quote": Decimal("1")})
    return Engine(profile.model_copy(update={"approvals": approvals}), data_dir=tmp_path,
                  wire=False)


async def test_risky_buy_under_auto_rule_waits_for_typed_override(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    decisions = eng.events([ProposalDecided.topic])
    await eng.approvals.submit(proposal("risky", Verdict.RISKY))  # must not raise
    assert [p.id for p in eng.pending_proposals()] == ["risky"]
    assert decisions.get_nowait() is None
    # another token: one live proposal per token and side (a twin would be a duplicate)
    await eng.approvals.submit(dataclasses.replace(proposal("safe", Verdict.SAFE), token="0xU"))
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.proposal_id == "safe"
    assert ev.decision == "approved" and ev.by.startswith("auto:")


async def test_risky_sell_may_still_be_auto_approved(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    decisions = eng.events([ProposalDecided.topic])
    sell = dataclasses.replace(proposal("rs", Verdict.RISKY), side=Side.SELL)
    await eng.approvals.submit(sell)
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.decision == "approved"
