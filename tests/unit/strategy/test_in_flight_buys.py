"""Buys proposed but not yet filled count against the limits, and are released when they
fill, fail or are rejected: approvals in flight cannot exceed the caps together."""

from __future__ import annotations

from claudedex.bus import EventBus
from claudedex.clock import ManualClock
from claudedex.config import load_profile
from claudedex.domain import RiskReport, Side, Signal, Verdict
from claudedex.events import EquityMarked, OrderFilled, OrderUpdated, ProposalDecided
from claudedex.market.ingest import ingest
from claudedex.strategy.runner import StrategyRunner

E18 = 10**18


def runner() -> StrategyRunner:
    profile = load_profile("devnet")
    limits = profile.limits.model_copy(update={"max_open_positions": 2})
    profile = profile.model_copy(update={"limits": limits})
    clock = ManualClock(start=1_000_000.0)
    r = StrategyRunner(EventBus(), profile, clock)
    for i in range(3):
        r.view.register_pair(f"P{i}", f"T{i}")
        r.view.update_reserves(f"P{i}", 1_000_000 * E18, 100 * E18, 1, clock.now())
        r.view.set_report(RiskReport(f"T{i}", f"P{i}", Verdict.SAFE, ()))
    ingest(r.view, EquityMarked(equity_quote=5 * E18, realized_quote=0, unrealized_quote=0))
    return r


def buy(i: int) -> Signal:
    return Signal("momentum", f"T{i}", f"P{i}", Side.BUY, "test")


async def test_in_flight_buys_fill_the_open_position_limit_until_released() -> None:
    r = runner()
    clock = r.decider.clock
    first = r.decider.risk.assess(buy(0), r.view, clock)
    second = r.decider.risk.assess(buy(1), r.view, clock)
    assert first.proposal is not None and second.proposal is not None
    await r._emit(first)
    await r._emit(second)
    assert set(r.view.portfolio.committed) == {"T0", "T1"}
    third = r.decider.risk.assess(buy(2), r.view, clock)
    assert third.proposal is None  # two buys in flight: the limit of 2 is reached

    r._track_flight(ProposalDecided(proposal_id=first.proposal.id, decision="rejected",
                                    by="operator"))
    assert set(r.view.portfolio.committed) == {"T1"}
    assert r.decider.risk.assess(buy(2), r.view, clock).proposal is not None

    r._track_flight(OrderUpdated(order_id=f"o-{second.proposal.id}", state="failed"))
    assert r.view.portfolio.committed == {}


async def test_a_fill_releases_its_commitment() -> None:
    r = runner()
    result = r.decider.risk.assess(buy(0), r.view, r.decider.clock)
    assert result.proposal is not None
    await r._emit(result)
    p = result.proposal
    r._track_flight(OrderFilled(order_id=f"o-{p.id}", token=p.token, side="buy",
                                amount_in=p.amount_in, amount_out=1, gas_cost_wei=0,
                                tx_hash="0x", block_number=2))
    assert r.view.portfolio.committed == {}


async def test_a_proposal_from_another_source_counts_in_flight_too() -> None:
    from claudedex.events import TradeProposed

    r = runner()
    manual = r.decider.risk.assess(buy(0), r.view, r.decider.clock)
    assert manual.proposal is not None
    r._track_flight(TradeProposed(proposal=manual.proposal))  # e.g. `claudedex trade`
    r._track_flight(TradeProposed(proposal=manual.proposal))  # counted once
    assert r.view.portfolio.committed == {"T0": manual.proposal.amount_in}


def test_the_live_strategy_never_proposes_an_unjudged_buy() -> None:
    r = runner()
    r.view.register_pair("P9", "T9")  # ticking after a restart, not judged again yet
    r.view.update_reserves("P9", 1_000_000 * E18, 100 * E18, 1, r.decider.clock.now())
    assessed = r.decider.risk.assess(buy(9), r.view, r.decider.clock)
    assert assessed.proposal is None and "token_safety" in assessed.dropped
