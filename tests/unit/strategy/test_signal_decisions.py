"""Every signal's fate is published (``SignalDecided``): proposed with what decided its
size, dropped with the limit or factor that stopped it, or held by the cooldown (once).
The console's decision log is built from these events only."""

from __future__ import annotations

from claudedex.events import SignalDecided

from .test_in_flight_buys import buy, runner


async def test_proposed_and_dropped_signals_are_published_with_why() -> None:
    r = runner()  # max_open_positions = 2
    sub = r.bus.subscribe("test", [SignalDecided.topic])
    for i in range(3):
        await r._emit(r.decider.assess(buy(i)))
    got = [sub.get_nowait() for _ in range(3)]
    assert all(isinstance(ev, SignalDecided) for ev in got)
    first, _, third = got
    assert isinstance(first, SignalDecided) and isinstance(third, SignalDecided)
    assert first.outcome == "proposed" and first.proposal_id and first.token == "T0"
    assert first.size_by  # the rule or cap that decided the size is named
    assert third.outcome == "dropped" and third.proposal_id == ""
    assert "position" in third.reason  # the open-position limit (two buys in flight)


async def test_a_cooldown_is_reported_once_per_token_and_side() -> None:
    r = runner()
    sub = r.bus.subscribe("test", [SignalDecided.topic])
    await r._emit(r.decider.assess(buy(0)))
    assert sub.get_nowait() is not None  # proposed
    for _ in range(3):  # the strategy repeats its signal on every tick
        assert not r.decider._ready(buy(0))
    cooled = sub.get_nowait()
    assert isinstance(cooled, SignalDecided) and cooled.outcome == "cooldown"
    assert "s ago" in cooled.reason
    assert sub.get_nowait() is None  # told once, not three times
