"""Circuit breaker state machine with a manual clock."""

from __future__ import annotations

from claudedex.apis.breaker import BreakerState, CircuitBreaker


def test_opens_half_opens_and_closes() -> None:
    now = [0.0]
    b = CircuitBreaker("x", failure_threshold=2, reset_timeout_s=10, clock=lambda: now[0])
    assert b.allow()
    b.failure()
    assert b.state is BreakerState.CLOSED
    b.failure()
    assert b.state is BreakerState.OPEN and not b.allow()
    now[0] = 10.0
    assert b.state is BreakerState.HALF_OPEN
    assert b.allow() and not b.allow()  # exactly one trial call
    b.failure()
    assert b.state is BreakerState.OPEN
    now[0] = 20.0
    assert b.allow()
    b.success()
    assert b.state is BreakerState.CLOSED and b.allow()
