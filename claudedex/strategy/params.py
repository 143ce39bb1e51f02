"""The typed parameters of ``[strategy.params]``, one model per built-in strategy.

Why checked when the profile loads: ``equity_quote = "5 ETH"`` or ``ema_fast = -3`` would
otherwise surface deep inside the runner or the risk manager, as a traceback, after the
engine had started. Each model holds the strategy's own knobs plus the keys the runner,
the risk manager and the exit rules read from the same section (:class:`RunnerParams`).

Validation only: the profile keeps the operator's values as written (the consumers apply
their own defaults to keys that are absent), so a checked profile trades exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Ratio = Annotated[Decimal, Field(gt=0, le=1)]  # a share of equity or of a position
OptionalPct = Annotated[Decimal, Field(ge=0, le=100)] | None  # 0 (or absent) disables
Period = Annotated[int, Field(ge=1)]
GainAndFraction = tuple[Annotated[Decimal, Field(gt=0)], Ratio]


class RunnerParams(BaseModel):
    """Keys every strategy's section may hold: read by the runner, risk and exit rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    equity_quote: Annotated[Decimal, Field(gt=0)] | None = None  # money: quote units
    sizing: Literal["fixed", "kelly", "vol_target"] | None = None
    fraction: Ratio | None = None
    kelly_win_rate: Probability | None = None
    kelly_payoff: Annotated[Decimal, Field(gt=0)] | None = None
    kelly_cap: Ratio | None = None
    target_vol: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    max_risk: Annotated[Decimal, Field(ge=0, le=1)] | None = None
    cooldown_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    candle_interval_s: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    gas_per_swap: Annotated[int, Field(gt=0)] | None = None
    stop_loss_pct: OptionalPct = None
    take_profit: tuple[GainAndFraction, ...] | None = None  # [[gain_pct, fraction], ...]
    trailing_pct: OptionalPct = None
    max_hold_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    max_scam_probability: Probability | None = None
    require_report: bool | None = None


class AnyStrategyParams(RunnerParams):
    """A strategy from the operator's own file: its keys are its own business."""

    model_config = ConfigDict(extra="allow", frozen=True)


class _Crossing(RunnerParams):
    ema_fast: Period
    ema_slow: Period

    @model_validator(mode="after")
    def _fast_below_slow(self) -> Self:
        if self.ema_fast >= self.ema_slow:
            raise ValueError(f"ema_fast ({self.ema_fast}) must be below ema_slow "
                             f"({self.ema_slow})")
        return self


class MomentumParams(_Crossing):
    ema_fast: Period = 12
    ema_slow: Period = 26
    rsi_period: Period = 14
    rsi_max: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 75.0  # above 100: no gate
    volume_mult: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0  # 0: no volume gate
    require_breakout: bool = False
    breakout_lookback: Period = 20


class ScalpingParams(_Crossing):
    ema_fast: Period = 5
    ema_slow: Period = 20
    entry_bps: Annotated[int, Field(ge=0, le=10_000)] = 150  # this far below the slow EMA: buy
    exit_bps: Annotated[int, Field(ge=0, le=10_000)] = 100  # this far above it while held: sell
    rsi_min: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 20.0  # no falling knives


class AiParams(RunnerParams):
    max_scam_entry: Probability = 0.2  # enter only below this scam probability
    exit_scam: Probability = 0.5  # sell a holding when the score rises above this
    min_pump: Probability = 0.6  # when a pump probability is present, require at least this
    require_safe: bool = True  # without a pump probability, require a SAFE verdict


# By strategy name; each built-in Strategy class names its model too (a test keeps them equal).
PARAMS_MODELS: dict[str, type[RunnerParams]] = {
    "ai": AiParams, "momentum": MomentumParams, "scalping": ScalpingParams,
}
RUNNER_KEYS = frozenset(RunnerParams.model_fields)


def own_defaults(model: type[RunnerParams]) -> dict[str, Any]:
    """A strategy's own knobs (not the runner's) with their defaults."""
    return {name: field.default for name, field in model.model_fields.items()
            if name not in RUNNER_KEYS}


def check_params(strategy: str, params: Mapping[str, Any]) -> RunnerParams:
    """Validate ``params`` for ``strategy``; raises pydantic's ``ValidationError`` (its
    locations are keys of ``[strategy.params]``). A name that is not built in (a strategy
    file's) has its runner keys checked and the rest left to the strategy."""
    model = PARAMS_MODELS.get(strategy, AnyStrategyParams)
    return model.model_validate(dict(params))
