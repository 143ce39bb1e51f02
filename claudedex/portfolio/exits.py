"""Exit rules: stop-loss, take-profit ladder, trailing stop, time exit.

Why marks include our own exit impact: a position is worth what selling it would return
(Uniswap's getAmountOut on the whole amount), not size times spot price. Thin pools
therefore trigger stops earlier, which is the honest behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from claudedex.errors import UserInputError
from claudedex.portfolio.book import Position


@dataclass(frozen=True, slots=True)
class ExitBand:
    """Where :meth:`ExitRules.check` can fire for one position, as it stands now.

    Marks are quote base units (what selling the whole position returns). A rule fires at
    a mark ``<= stop_mark`` (stop-loss), at a mark ``>= take_mark`` (the next take-profit
    rung), once the peak mark is above ``cost`` and the mark is ``trail_pct`` percent or
    more below that peak (trailing stop), or at a time ``>= deadline`` (max hold). None:
    that rule cannot fire. The thresholds are exact rationals; ``check`` compares 28-digit
    Decimals, so a caller skipping checks must keep a relative margin around them.
    """

    cost: int
    stop_mark: Decimal | None
    take_mark: Decimal | None
    trail_pct: Decimal | None
    deadline: float | None


@dataclass(frozen=True, slots=True)
class ExitRules:
    stop_loss_pct: Decimal | None = Decimal(15)
    take_profit: tuple[tuple[Decimal, Decimal], ...] = ((Decimal(30), Decimal("0.5")),)
    trailing_pct: Decimal | None = Decimal(20)
    max_hold_s: float | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ExitRules:
        """Keys ``stop_loss_pct``, ``take_profit`` ([[gain_pct, fraction], ...]),
        ``trailing_pct``, ``max_hold_s``; ``0`` or ``null`` disables a rule."""
        base = cls()

        def opt(key: str, default: Decimal | None) -> Decimal | None:
            if key not in params:
                return default
            v = params[key]
            return None if v in (None, 0, "0") else Decimal(str(v))

        ladder = base.take_profit
        if "take_profit" in params:
            try:
                ladder = tuple(
                    (Decimal(str(g)), Decimal(str(f))) for g, f in params["take_profit"] or ()
                )
            except (TypeError, ValueError) as exc:
                raise UserInputError(
                    "strategy.params.take_profit must be a list of [gain_pct, fraction] pairs"
                ) from exc
        hold = params.get("max_hold_s")
        return cls(
            stop_loss_pct=opt("stop_loss_pct", base.stop_loss_pct),
            take_profit=tuple(sorted(ladder)),
            trailing_pct=opt("trailing_pct", base.trailing_pct),
            max_hold_s=float(hold) if hold else None,
        )

    def band(self, pos: Position) -> ExitBand | None:
        """The marks and time at which :meth:`check` could fire for ``pos`` (None: it
        never fires, as for an empty or cost-free position). The trailing stop also
        depends on the peak mark, which the caller follows as marks come."""
        if pos.amount <= 0 or pos.cost_quote <= 0:
            return None
        cost = Decimal(pos.cost_quote)
        stop = None if self.stop_loss_pct is None else cost * (100 - self.stop_loss_pct) / 100
        take = None
        if pos.ladder_done < len(self.take_profit):
            take = cost * (100 + self.take_profit[pos.ladder_done][0]) / 100
        deadline = None if self.max_hold_s is None else pos.opened_ts + self.max_hold_s
        return ExitBand(pos.cost_quote, stop, take, self.trailing_pct, deadline)

    def check(self, pos: Position, mark: int, now: float) -> tuple[str, int] | None:
        """The rule that fires now and the token amount to sell, or None."""
        if pos.amount <= 0 or pos.cost_quote <= 0:
            return None
        gain = Decimal(mark - pos.cost_quote) * 100 / Decimal(pos.cost_quote)
        if self.stop_loss_pct is not None and gain <= -self.stop_loss_pct:
            return f"stop_loss: {gain:.2f}% (limit -{self.stop_loss_pct}%)", pos.amount
        if self.trailing_pct is not None and pos.peak_mark > pos.cost_quote:
            off = Decimal(pos.peak_mark - mark) * 100 / Decimal(pos.peak_mark)
            if off >= self.trailing_pct:
                return (
                    f"trailing_stop: {off:.2f}% off peak (trail {self.trailing_pct}%)",
                    pos.amount,
                )
        if pos.ladder_done < len(self.take_profit):
            level, fraction = self.take_profit[pos.ladder_done]
            if gain >= level:
                last = pos.ladder_done == len(self.take_profit) - 1
                amount = pos.amount if last or fraction >= 1 else int(pos.amount * fraction)
                if amount > 0:
                    return (
                        f"take_profit: +{gain:.2f}% (step {pos.ladder_done + 1} at {level}%)",
                        amount,
                    )
        if self.max_hold_s is not None and now - pos.opened_ts >= self.max_hold_s:
            return (
                f"time_exit: held {now - pos.opened_ts:.0f}s (max {self.max_hold_s:.0f}s)",
                pos.amount,
            )
        return None
