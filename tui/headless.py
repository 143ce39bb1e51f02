"""Headless face: the same engine, key events as plain lines, a JSON summary at exit.

Why not the TUI with no screen: a headless run on a server must not need a terminal, and its
output is read by people tailing it and by scripts (``--json``). Token names are cleaned
here too: a terminal shows escapes just as well without Textual.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from claudedex.bus import Subscription
from claudedex.events import (
    AlertRaised,
    ComponentFailed,
    EngineHaltChanged,
    EquityMarked,
    Event,
    OrderFilled,
    PairDiscovered,
    ProposalDecided,
    RiskAssessed,
    TradeProposed,
)
from tui.safe_text import SYMBOL_MAX, clean


@dataclass(slots=True)
class RunSummary:
    """What happened during a run, for the ``--json`` line printed at exit."""

    profile: str
    started: float = field(default_factory=time.monotonic)
    pairs: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    proposals: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    fills: int = 0
    alerts: int = 0
    component_failures: int = 0
    halted: bool = False
    equity_quote: int | None = None
    events: int = 0

    def observe(self, event: Event) -> None:
        self.events += 1
        if isinstance(event, PairDiscovered):
            self.pairs += 1
        elif isinstance(event, RiskAssessed):
            self.verdicts[event.report.verdict.value] += 1
        elif isinstance(event, TradeProposed):
            self.proposals += 1
        elif isinstance(event, ProposalDecided):
            self.decisions[event.decision] += 1
        elif isinstance(event, OrderFilled):
            self.fills += 1
        elif isinstance(event, AlertRaised):
            self.alerts += 1
        elif isinstance(event, ComponentFailed):
            self.component_failures += 1
        elif isinstance(event, EngineHaltChanged):
            self.halted = event.halted
        elif isinstance(event, EquityMarked):
            self.equity_quote = event.equity_quote

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile, "duration_s": round(time.monotonic() - self.started, 3),
            "pairs": self.pairs, "verdicts": dict(self.verdicts), "proposals": self.proposals,
            "decisions": dict(self.decisions), "fills": self.fills, "alerts": self.alerts,
            "component_failures": self.component_failures, "halted": self.halted,
            "equity_quote": None if self.equity_quote is None else str(self.equity_quote),
            "events": self.events,
        }


def describe(event: Event) -> str | None:
    """One readable line for the events an operator cares about; None for the rest."""
    if isinstance(event, PairDiscovered):
        p = event.pair
        return f"pair    {clean(p.symbol, SYMBOL_MAX) or '?'} {p.pair} on {clean(p.venue, 20)}"
    if isinstance(event, RiskAssessed):
        r = event.report
        return f"verdict {r.verdict.value.upper()} {r.token} ({len(r.findings)} findings)"
    if isinstance(event, TradeProposed):
        q = event.proposal
        return (f"propose {q.id} {q.side.value} {clean(q.symbol, SYMBOL_MAX)} "
                f"{q.quote_value} verdict={q.verdict.value}")
    if isinstance(event, ProposalDecided):
        return f"decided {event.proposal_id} {event.decision} by {clean(event.by, 40)}"
    if isinstance(event, OrderFilled):
        return f"filled  {event.order_id} {event.side} tx={event.tx_hash}"
    if isinstance(event, EngineHaltChanged):
        return f"{'HALTED ' if event.halted else 'resumed'} by {clean(event.by, 40)}: " \
               f"{clean(event.reason, 120)}"
    if isinstance(event, AlertRaised):
        return f"alert   {event.level}: {clean(event.message, 200)}"
    if isinstance(event, ComponentFailed):
        return f"failed  {event.component}: {clean(event.error, 200)}"
    return None


async def follow(sub: Subscription, summary: RunSummary,
                 emit: Callable[[str], None] | None) -> None:
    """Consume ``sub`` until it closes, counting into ``summary`` and emitting lines."""
    async for event in sub:
        summary.observe(event)
        if emit is not None:
            line = describe(event)
            if line is not None:
                emit(line)


async def wait_for_stop(stop: asyncio.Event, duration: float | None) -> None:
    if duration is None:
        await stop.wait()
        return
    try:
        await asyncio.wait_for(stop.wait(), timeout=duration)
    except TimeoutError:
        return
