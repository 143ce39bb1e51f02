"""The one strategy interface, for live runs and backtests alike.

Why so narrow: a strategy gets the MarketView and the Clock and returns Signals. It has no
handle on the chain, the wall clock or storage, so it cannot behave differently in a
backtest than live: only what it is shown differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import ValidationError

from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.errors import UserInputError
from claudedex.market.view import MarketView
from claudedex.strategy.params import RUNNER_KEYS, RunnerParams


class Strategy:
    """Base class: subclasses set ``name`` and implement :meth:`evaluate`.

    A built-in sets ``params_model`` (its typed parameters, checked here and when the
    profile loads) and ``defaults`` from it; a strategy from the operator's own file may set
    only ``defaults``, whose keys are then the only ones it accepts.

    ``startup_candle_count`` (Freqtrade's name) is the strategy's warm-up: the Decider drops
    its signals for a pair until that many candles of the pair have closed (the first signal
    can come with the next one), in live runs and backtests alike, so a result never depends
    on how much history came before; 0 (the default) means no warm-up at all.
    """

    name: ClassVar[str] = "base"
    defaults: ClassVar[Mapping[str, Any]] = {}
    params_model: ClassVar[type[RunnerParams] | None] = None
    startup_candle_count: int = 0  # candles per pair before the first signal

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        if self.params_model is not None:
            _check(self.name, self.params_model, params or {})
        merged = dict(self.defaults)
        for key, value in (params or {}).items():
            if key in RUNNER_KEYS:
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


def _check(name: str, model: type[RunnerParams], params: Mapping[str, Any]) -> None:
    """One line naming the parameter and what was expected (``--param`` overrides too)."""
    try:
        model.model_validate(dict(params))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        if not key:  # a rule across keys (ema_fast below ema_slow)
            raise UserInputError(f"strategy {name}: {msg}") from None
        if err["type"] == "extra_forbidden":
            known = ", ".join(sorted(set(model.model_fields) - RUNNER_KEYS)) or "none"
            raise UserInputError(
                f"strategy {name}: unknown parameter '{key}' (known: {known})") from None
        raise UserInputError(f"strategy {name}: parameter '{key}': {msg} "
                             f"(got {err.get('input')!r})") from None
