"""Drawdown breaker and daily-loss limit: they halt the engine, they do not just warn.

Why a callback: halting is the engine's state (checked at the signer), so the breaker only
asks the engine to halt, once per trip, and says why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from claudedex.risk.context import RiskSettings

DAY_S = 86_400


class Breaker:
    """Tracks peak equity and the day's starting equity; trips at most once per condition."""

    def __init__(self, settings: RiskSettings) -> None:
        self.settings = settings
        self.peak = 0
        self.day = -1
        self.day_start = 0
        self.tripped: str = ""

    def observe(self, equity: int, now: float) -> str:
        """Feed a new equity mark; returns a halt reason the first time a limit is crossed."""
        day = int(now // DAY_S)
        if day != self.day:
            self.day = day
            self.day_start = equity
        self.peak = max(self.peak, equity)
        if self.tripped:
            return ""
        s = self.settings
        if self.peak > 0 and s.max_drawdown_pct > 0:
            dd = Decimal(self.peak - equity) * 100 / Decimal(self.peak)
            if dd >= s.max_drawdown_pct:
                self.tripped = (
                    f"drawdown breaker: equity {dd:.2f}% below peak (max {s.max_drawdown_pct}%)"
                )
                return self.tripped
        loss = self.day_start - equity
        if s.daily_loss_limit_quote > 0 and loss >= s.daily_loss_limit_quote:
            self.tripped = (
                f"daily loss limit: lost {Decimal(loss) / 10**18:.6f} quote today "
                f"(limit {Decimal(s.daily_loss_limit_quote) / 10**18})"
            )
            return self.tripped
        return ""

    def rearm(self, equity: int) -> None:
        """The operator resumed after a halt: protect from here on.

        Re-basing the peak and the day's start on today's equity means the breaker trips
        again on a *further* drawdown or loss of the same size, instead of never (tripped
        stays set) or at once (still below the old peak, which would also block exits).
        """
        self.tripped = ""
        if equity > 0:
            self.peak = equity
            self.day_start = equity


Halt = Callable[[str], Awaitable[None]]
