"""One live proposal per token and side, whatever path made it: a second buy of a token
while one waits is rejected as a duplicate (the operator saw two rows of one token before);
an exit replaces a pending strategy sell of the same token instead of waiting behind it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from claudedex.config import load_profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.events import ProposalDecided
from claudedex.portfolio.core import EXIT_STRATEGY


def proposal(pid: str, token: str = "0xAbC", side: Side = Side.BUY,
             strategy: str = "momentum") -> TradeProposal:
    return TradeProposal(id=pid, token=token, pair="0xP", venue="uniswap", side=side,
                         amount_in=10**17, min_amount_out=1, quote_value=Decimal("0.1"),
                         slippage_bps=300, verdict=Verdict.SAFE, strategy=strategy)


def engine(tmp_path: Path) -> Engine:
    return Engine(load_profile("devnet"), data_dir=tmp_path, wire=False)


async def test_a_second_buy_of_the_same_token_is_rejected_as_duplicate(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    decisions = eng.events([ProposalDecided.topic])
    await eng.approvals.submit(proposal("first"))
    await eng.approvals.submit(proposal("second", token="0xabc"))  # same token, other case
    assert [p.id for p in eng.pending_proposals()] == ["first"]
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.proposal_id == "second"
    assert ev.decision == "rejected" and ev.by == "engine" and "first" in ev.note


async def test_other_side_and_other_token_are_not_duplicates(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    await eng.approvals.submit(proposal("buy"))
    await eng.approvals.submit(proposal("sell", side=Side.SELL))
    await eng.approvals.submit(proposal("other", token="0xDEF"))
    assert [p.id for p in eng.pending_proposals()] == ["buy", "sell", "other"]


async def test_an_exit_supersedes_a_pending_strategy_sell(tmp_path: Path) -> None:
    profile = load_profile("devnet")
    approvals = profile.approvals.model_copy(update={"auto_approve_exits": False})
    eng = Engine(profile.model_copy(update={"approvals": approvals}), data_dir=tmp_path,
                 wire=False)
    decisions = eng.events([ProposalDecided.topic])
    await eng.approvals.submit(proposal("strategy-sell", side=Side.SELL))
    await eng.approvals.submit(proposal("stop-loss", side=Side.SELL, strategy=EXIT_STRATEGY))
    assert [p.id for p in eng.pending_proposals()] == ["stop-loss"]
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.proposal_id == "strategy-sell"
    assert ev.decision == "rejected" and "superseded by exit stop-loss" in ev.note


async def test_a_decided_command_is_not_held_back_by_a_pending_twin(tmp_path: Path) -> None:
    """An operator's own trade (decided_by set) is decided at once: never a duplicate."""
    eng = engine(tmp_path)
    decisions = eng.events([ProposalDecided.topic])
    await eng.approvals.submit(proposal("waiting"))
    await eng.approvals.submit(replace(proposal("manual")), decided_by="operator")
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.proposal_id == "manual"
    assert ev.decision == "approved"
    assert [p.id for p in eng.pending_proposals()] == ["waiting"]
