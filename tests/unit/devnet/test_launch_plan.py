"""The launch plan depends only on the seed: same seed, same tokens in the same order."""

from __future__ import annotations

from decimal import Decimal

from claudedex.devnet.launches import HOSTILE, LaunchPlanner

FAMILIES = {"honest_a": False, "honest_b": False, "scam_a": True, "scam_b": True}


def _plans(seed: int, ticks: int = 300) -> list[object]:
    planner = LaunchPlanner(seed, FAMILIES, ("sushiswap", "uniswap"), Decimal(6), 1.0, 4)
    return [p for t in range(ticks) if (p := planner.maybe_launch(t)) is not None]


def test_same_seed_same_plans_other_seed_differs() -> None:
    assert _plans(1) == _plans(1)
    assert _plans(1) != _plans(2)


def test_first_tick_launches_and_rate_is_respected() -> None:
    plans = _plans(9, ticks=600)
    planner = LaunchPlanner(9, FAMILIES, ("uniswap",), Decimal(6), 1.0, 4)
    assert planner.maybe_launch(0) is not None
    # 6/min over 10 minutes: about 60 launches (binomial, generous bounds)
    assert 30 <= len(plans) <= 95


def test_families_venues_and_hostile_names() -> None:
    plans = LaunchPlanner(3, FAMILIES, ("sushiswap", "uniswap"), Decimal(60), 1.0, 4)
    drawn = [plans.next_plan() for _ in range(400)]
    assert {p.family for p in drawn} == set(FAMILIES)
    assert {p.venue for p in drawn} == {"sushiswap", "uniswap"}
    assert any(p.name in HOSTILE for p in drawn)
    assert [p.index for p in drawn] == list(range(400))
    assert all(0 <= p.dev_index < 4 and 5000 <= p.lp_share_bps <= 9000 for p in drawn)


def test_zero_rate_launches_only_the_first() -> None:
    planner = LaunchPlanner(3, FAMILIES, ("uniswap",), Decimal(0), 1.0, 4)
    assert [t for t in range(100) if planner.maybe_launch(t)] == [0]
