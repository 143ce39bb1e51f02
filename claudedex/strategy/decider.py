"""Decider: events in, risk-assessed proposals out; the core shared by live and backtest.

Why shared: the parity promise (a backtest makes the trade the live engine would make)
holds only if both run this exact object; they differ only in who feeds it events and
what happens to the proposals afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from claudedex.clock import Clock, ReadOnlyClock
from claudedex.domain import Side, Signal, TradeProposal
from claudedex.events import Event
from claudedex.market.ingest import ingest
from claudedex.market.reader import ViewReader
from claudedex.market.view import MarketView
from claudedex.risk.manager import Assessment, RiskManager
from claudedex.strategy.base import Strategy


class Decider:
    def __init__(
        self,
        strategy: Strategy,
        risk: RiskManager,
        view: MarketView,
        clock: Clock,
        cooldown_s: float = 60.0,
    ) -> None:
        self.strategy = strategy
        self.risk = risk
        self.view = view
        self.clock = clock
        self._readings = ReadOnlyClock(clock)  # what the strategy gets: it reads time only
        self._reader = ViewReader(view)  # and the view: read only (its limits are risk's)
        self.cooldown_s = cooldown_s
        self._last: dict[tuple[str, Side], float] = {}
        # told of each signal the cooldown holds back (the live runner reports them)
        self.on_cooldown: Callable[[Signal], None] | None = None
        # told of each proposal as soon as it is made (the runner counts a buy in flight)
        self.on_proposal: Callable[[TradeProposal], None] | None = None

    def on_event(self, ev: Event) -> list[Assessment]:
        """Fold the event into the view; on a price move, ask the strategy and the risk."""
        pair = ingest(self.view, ev)
        if pair is None:
            return []
        return self.evaluate(pair)

    def evaluate(self, pair: str) -> list[Assessment]:
        """Ask the strategy (always: its indicators fold every candle); its signals count
        only once its declared warm-up is over for ``pair``."""
        signals = self.strategy.evaluate(pair, self._reader, self._readings)
        if not signals:
            return []
        warmup = self.strategy.startup_candle_count
        if warmup and self.view.candle_count(pair) <= warmup:
            return []
        own = self.strategy.name
        return [self.assess(sig if sig.strategy == own else replace(sig, strategy=own))
                for sig in signals if self._ready(sig)]

    def assess(self, signal: Signal) -> Assessment:
        """Judge one signal; a proposal is counted in flight at once (:attr:`on_proposal`),
        so the next signal of the same step is judged with it: a strategy returning many
        signals in one step cannot pass the cash, exposure or position limits together."""
        result = self.risk.assess(signal, self.view, self.clock)
        if result.proposal is not None:
            if self.on_proposal is not None:
                self.on_proposal(result.proposal)
            self._last[(signal.token, signal.side)] = self.clock.now()
        return result

    def _ready(self, sig: Signal) -> bool:
        """One proposal per token and side per cooldown: no spam while the operator decides."""
        last = self._last.get((sig.token, sig.side))
        ready = last is None or self.clock.now() - last >= self.cooldown_s
        if not ready and self.on_cooldown is not None:
            self.on_cooldown(sig)
        return ready
