"""AI strategy: entries driven by the ML ensemble's Score for a token.

Without a Score it never trades: the strategy exists to act on the models, and guessing
in their absence would be a different strategy.
"""

from __future__ import annotations

from typing import Any, ClassVar

from claudedex.clock import Clock
from claudedex.domain import Signal, Verdict
from claudedex.market.reader import MarketReading
from claudedex.strategy.base import Strategy
from claudedex.strategy.params import AiParams, RunnerParams, own_defaults


class AiStrategy(Strategy):
    name: ClassVar[str] = "ai"
    params_model: ClassVar[type[RunnerParams] | None] = AiParams
    defaults: ClassVar[dict[str, Any]] = own_defaults(AiParams)

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params)
        self._entered: set[str] = set()

    def evaluate(self, pair: str, view: MarketReading, clock: Clock) -> list[Signal]:
        token = view.pair_token.get(pair, pair)
        score = view.scores.get(token)
        if score is None:
            return []
        p = self.params
        held = view.portfolio.positions.get(token, 0) > 0
        if held:
            if score.scam_probability > float(p["exit_scam"]):
                return [self.signal(pair, token, "sell", f"ml scam {score.scam_probability:.2f}")]
            return []
        if token in self._entered or score.scam_probability > float(p["max_scam_entry"]):
            return []
        report = view.reports.get(token)
        if report is not None and report.verdict is Verdict.SCAM:
            return []
        pump = view.pump.get(token)
        if pump is not None:
            if pump < float(p["min_pump"]):
                return []
            reason = f"ml scam {score.scam_probability:.2f}, pump {pump:.2f}"
            strength = pump
        else:
            if bool(p["require_safe"]) and (report is None or report.verdict is not Verdict.SAFE):
                return []
            reason = f"ml scam {score.scam_probability:.2f}, verdict safe"
            strength = 1.0 - score.scam_probability
        self._entered.add(token)
        return [self.signal(pair, token, "buy", reason, strength)]
