"""The engine facade: halt persists across restarts, approvals obey verdicts and halts."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from claudedex.config import load_profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.errors import EngineHalted, OverrideForbidden, UnknownProposal, UserInputError
from claudedex.events import EngineHaltChanged, ProposalDecided


def proposal(pid: str, verdict: Verdict = Verdict.SAFE, quote: str = "0.1") -> TradeProposal:
    return TradeProposal(
        id=pid, token="0xT", pair="0xP", venue="uniswap", side=Side.BUY,
        amount_in=10**17, min_amount_out=970_000, quote_value=Decimal(quote),
        slippage_bps=300, verdict=verdict, symbol="TKN")


def engine(tmp_path: Path) -> Engine:
    return Engine(load_profile("devnet"), data_dir=tmp_path, wire=False)


async def test_halt_survives_restart(tmp_path: Path) -> None:
    async with engine(tmp_path) as eng:
        await eng.halt("test stop")
        assert eng.is_halted()
    again = engine(tmp_path)
    assert again.is_halted()
    assert again.halt_switch.state.reason == "test stop"
    sub = again.events([EngineHaltChanged.topic])
    async with again:
        first = await sub.get()
        assert isinstance(first, EngineHaltChanged) and first.halted
        with pytest.raises(UserInputError):
            await again.resume(confirm=False)
        await again.resume(confirm=True)
    assert not engine(tmp_path).is_halted()


async def test_approve_publishes_decision_for_execution(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    decisions = eng.events([ProposalDecided.topic])
    await eng.approvals.submit(proposal("p1"))
    assert [p.id for p in eng.pending_proposals()] == ["p1"]
    await eng.approve("p1")
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.decision == "approved"
    assert ev.proposal is not None and ev.proposal.id == "p1"
    assert eng.pending_proposals() == []
    with pytest.raises(UnknownProposal):
        await eng.approve("p1")


async def test_halted_engine_refuses_approval(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    await eng.approvals.submit(proposal("p1"))
    await eng.halt()
    with pytest.raises(EngineHalted):
        await eng.approve("p1")
    assert [p.id for p in eng.pending_proposals()] == ["p1"]


async def test_scam_never_queued_and_risky_needs_typed_confirmation(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    decisions = eng.events([ProposalDecided.topic])
    await eng.approvals.submit(proposal("scam", Verdict.SCAM))
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.decision == "rejected"
    assert eng.pending_proposals() == []

    await eng.approvals.submit(proposal("r", Verdict.RISKY))
    with pytest.raises(OverrideForbidden):
        await eng.approve("r")
    with pytest.raises(OverrideForbidden):
        await eng.override("r", accept_risky=True, confirmation="yes")
    changed = await eng.override("r", accept_risky=True, confirmation="RISKY",
                                 amount_in=5 * 10**16, slippage_bps=100)
    assert changed.amount_in == 5 * 10**16 and changed.slippage_bps == 100
    # expected out = 970_000 * 10000 // 9700 = 1_000_000; halved; 1 % slippage
    assert changed.min_amount_out == 495_000
    assert changed.quote_value == Decimal("0.05")


async def test_auto_approve_rule_only_below_threshold_and_not_halted(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    eng.approvals.auto_approve_below = Decimal("0.2")
    await eng.approvals.submit(proposal("small", quote="0.1"))
    await eng.approvals.submit(proposal("big", quote="0.3"))
    assert [p.id for p in eng.pending_proposals()] == ["big"]
    await eng.halt()
    # another token: one live proposal per token and side ("big" is pending for 0xT)
    await eng.approvals.submit(replace(proposal("small2", quote="0.1"), token="0xU"))
    assert {p.id for p in eng.pending_proposals()} == {"big", "small2"}


async def test_status_reports_halt_and_pending(tmp_path: Path) -> None:
    async with engine(tmp_path) as eng:
        await eng.approvals.submit(proposal("p"))
        await eng.halt("why")
        status = await eng.status()
    assert status.halted and status.halt_reason == "why"
    assert status.pending_proposals == 1 and status.profile == "devnet"
    assert status.components["approvals"] == "running"


async def test_engine_announces_halt_from_another_process(tmp_path: Path) -> None:
    import asyncio

    from claudedex.halt import HaltSwitch

    async with engine(tmp_path) as eng:
        sub = eng.events([EngineHaltChanged.topic])
        HaltSwitch(tmp_path / "halt.json").set(True, "cli stop", "cli")
        ev = await asyncio.wait_for(sub.get(), 5)
        assert isinstance(ev, EngineHaltChanged) and ev.halted and ev.reason == "cli stop"
        assert eng.is_halted()


async def test_exits_are_auto_approved_so_stops_do_not_wait(tmp_path: Path) -> None:
    import dataclasses

    eng = engine(tmp_path)
    decisions = eng.events([ProposalDecided.topic])
    stop = dataclasses.replace(proposal("sl", Verdict.SCAM), side=Side.SELL, strategy="exit",
                               reason="stop_loss -25%")
    await eng.approvals.submit(stop)
    ev = decisions.get_nowait()
    assert isinstance(ev, ProposalDecided) and ev.decision == "approved"
    assert ev.by == "auto:exit"
    momentum_sell = dataclasses.replace(proposal("ms"), side=Side.SELL, strategy="momentum")
    await eng.approvals.submit(momentum_sell)
    assert [p.id for p in eng.pending_proposals()] == ["ms"]
