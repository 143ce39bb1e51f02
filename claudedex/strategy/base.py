"""The one strategy interface, for live runs and backtests alike.

Why so narrow: a strategy gets the MarketView and the Clock and returns Signals. It has no
handle on the chain, the wall clock or storage, so it cannot behave differently in a
backtest than live: only what it is shown differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.errors import UserInputError
from claudedex.market.view import MarketView


class Strategy:
    """Base class: subclasses set ``name`` and implement :meth:`evaluate`."""

    name: ClassVar[str] = "base"
    defaults: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        merged = dict(self.defaults)
        for key, value in (params or {}).items():
            if key in _RUNNER_KEYS:
                continue
            if key not in merged:
                known = ", ".join(sorted(merged)) or "none"
                raise UserInputError(
                    f"strategy {self.name}: unknown parameter '{key}' (known: {known})"
                )
            merged[key] = value
        self.params: dict[str, Any] = merged

    def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
        """Called after every price update of ``pair``; returns zero or more signals."""
        raise NotImplementedError

    def signal(
        self, pair: str, token: str, side: str, reason: str, strength: float = 1.0
    ) -> Signal:
        from claudedex.domain import Side

        return Signal(
            strategy=self.name,
            token=token,
            pair=pair,
            side=Side(side),
            reason=reason,
            strength=Decimal(str(round(strength, 6))),
        )


# Parameters the runner/risk layer reads from the same profile section; strategies ignore them.
_RUNNER_KEYS = frozenset(
    {
        "equity_quote",
        "sizing",
        "fraction",
        "kelly_win_rate",
        "kelly_payoff",
        "kelly_cap",
        "target_vol",
        "max_risk",
        "cooldown_s",
        "candle_interval_s",
        "gas_per_swap",
        "stop_loss_pct",
        "take_profit",
        "trailing_pct",
        "max_hold_s",
        "max_scam_probability",
        "require_report",
    }
)
