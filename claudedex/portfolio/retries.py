"""Failed exits: retried with backoff and a widening slippage bound, and never silent.

Why: a stop-loss that reverted once (a sniper moved the price past its bound, a pool
drained) must not give up, and must not hammer the chain either. Each consecutive failure
of a token's exit doubles its wait (1, 2, 4 ... 60 s) and its slippage bound (up to the
profile's ``max_exit_slippage_bps``); the reason is kept so the operator sees it on the
position and no new buy of the token is proposed until the exit lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_BACKOFF_S = 60.0
_MAX_DOUBLINGS = 32  # past the cap long before: keeps 2**n finite after thousands of failures


@dataclass(slots=True)
class ExitRetries:
    """Per token: consecutive failures, when the next try may go, and why it failed."""

    attempts: dict[str, int] = field(default_factory=dict)
    retry_at: dict[str, float] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)

    def failed(self, token: str, reason: str, now: float) -> int:
        """Record a failure; returns the consecutive count."""
        n = self.attempts[token] = self.attempts.get(token, 0) + 1
        self.retry_at[token] = now + min(2.0 ** min(n - 1, _MAX_DOUBLINGS), MAX_BACKOFF_S)
        self.why[token] = f"exit failed x{n}: {reason}"[:200]
        return n

    def waiting(self, token: str, now: float) -> bool:
        """True while the token's backoff has not elapsed."""
        return now < self.retry_at.get(token, 0.0)

    def slippage_bps(self, token: str, base_bps: int, cap_bps: int) -> int:
        """The bound for the next try: doubled per failure, never above ``cap_bps``."""
        n = self.attempts.get(token, 0)
        if not n:
            return base_bps
        return max(base_bps, min(cap_bps, base_bps << min(n, _MAX_DOUBLINGS)))

    def due(self, now: float) -> list[str]:
        """Tokens whose backoff has elapsed (the tracker re-checks their exit rules)."""
        return [t for t, at in self.retry_at.items() if at <= now]

    def status(self, token: str) -> str:
        return self.why.get(token, "")

    def cleared(self, token: str) -> None:
        """The exit landed (or the position is gone): forget its failures."""
        self.attempts.pop(token, None)
        self.retry_at.pop(token, None)
        self.why.pop(token, None)
