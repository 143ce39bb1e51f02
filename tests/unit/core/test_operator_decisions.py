"""A command's decision (``claudedex trade``, the control API) passes the same gate as a click,
and an unjudged token is treated like a risky one."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudedex.config import load_profile
from claudedex.domain import Verdict, token_verdict
from claudedex.engine import Engine
from claudedex.errors import OverrideForbidden
from claudedex.events import ProposalDecided
from tests.unit.core.test_approvals_auto_rules import proposal


def engine(tmp_path: Path) -> Engine:
    return Engine(load_profile("devnet"), data_dir=tmp_path, wire=False)


async def decided(eng: Engine, pid: str, verdict: Verdict, confirmation: str = "") -> str:
    sub = eng.events([ProposalDecided.topic])
    await eng.approvals.submit(proposal(pid, verdict), decided_by="cli",
                               confirmation=confirmation)
    ev = sub.get_nowait()
    sub.close()
    assert isinstance(ev, ProposalDecided) and ev.proposal_id == pid
    return f"{ev.decision}:{ev.note}"


async def test_command_decisions_obey_the_verdict_rules(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    assert (await decided(eng, "s", Verdict.SAFE)).startswith("approved")
    assert (await decided(eng, "u", Verdict.UNKNOWN)).startswith("rejected:refused")
    assert (await decided(eng, "r", Verdict.RISKY, "risky")).startswith("rejected:refused")
    assert (await decided(eng, "r2", Verdict.RISKY, "RISKY")).startswith("overridden")
    assert (await decided(eng, "x", Verdict.SCAM, "RISKY")).startswith("rejected:scam")
    await eng.halt("drill")
    assert (await decided(eng, "h", Verdict.SAFE)).startswith("rejected:refused")
    assert eng.pending_proposals() == []


async def test_an_unjudged_buy_needs_the_typed_override_in_the_console(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    await eng.approvals.submit(proposal("u", Verdict.UNKNOWN))
    with pytest.raises(OverrideForbidden):
        await eng.approve("u")
    with pytest.raises(OverrideForbidden):
        await eng.override("u", accept_risky=True, confirmation="risky")
    changed = await eng.override("u", accept_risky=True, confirmation="RISKY")
    assert changed.id == "u" and eng.pending_proposals() == []


def test_token_verdict_is_the_worst_live_pool() -> None:
    assert token_verdict([(Verdict.SAFE, 10), (Verdict.RISKY, 5)]) is Verdict.RISKY
    assert token_verdict([(Verdict.SCAM, 1), (Verdict.SAFE, 10)]) is Verdict.SCAM
    # a stranger's empty pair does not make a token worse; it counts when all are empty
    assert token_verdict([(Verdict.SAFE, 10), (Verdict.SCAM, None)]) is Verdict.SAFE
    assert token_verdict([(Verdict.RISKY, None), (Verdict.SAFE, 0)]) is Verdict.RISKY
    assert token_verdict([]) is Verdict.UNKNOWN
