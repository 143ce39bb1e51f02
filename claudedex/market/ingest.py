"""Fold bus events into a MarketView: the single place both live and backtest feed it."""

from __future__ import annotations

from claudedex.events import (
    BlockSeen,
    EarlyWarningRaised,
    EquityMarked,
    Event,
    PairDiscovered,
    PositionChanged,
    PriceTicked,
    RiskAssessed,
    TokenScored,
)
from claudedex.market.view import MarketView

TOPICS = (
    PriceTicked.topic,
    PairDiscovered.topic,
    RiskAssessed.topic,
    TokenScored.topic,
    EarlyWarningRaised.topic,
    BlockSeen.topic,
)
PORTFOLIO_TOPICS = (PositionChanged.topic, EquityMarked.topic)


def ingest(view: MarketView, ev: Event) -> str | None:
    """Apply ``ev`` to ``view``; returns the pair whose price moved, if any."""
    if isinstance(ev, PriceTicked):
        view.update_reserves(ev.pair, ev.reserve_token, ev.reserve_quote, ev.block_number, ev.ts)
        return ev.pair
    # the portfolio's marks next: with the ticks, nearly every event a runner folds
    if isinstance(ev, PositionChanged):
        snap = view.portfolio
        if ev.amount > 0:
            snap.positions[ev.token] = ev.amount
            snap.position_value[ev.token] = ev.mark_quote
        else:
            snap.positions.pop(ev.token, None)
            snap.position_value.pop(ev.token, None)
        if ev.exit_status and ev.amount > 0:
            snap.exiting[ev.token] = ev.exit_status
        else:
            snap.exiting.pop(ev.token, None)
    elif isinstance(ev, EquityMarked):
        snap = view.portfolio
        snap.equity_quote = ev.equity_quote
        snap.cash_quote = ev.equity_quote - sum(snap.position_value.values())
        snap.peak_equity_quote = max(snap.peak_equity_quote, ev.equity_quote)
        # The daily-loss limit needs the day's opening equity (the breaker's rule: the
        # first mark of each UTC day); without it daily P&L reads 0 and never blocks.
        day = int(view.clock.now() // 86_400)
        if day != snap.day_index:
            snap.day_index = day
            snap.day_start_equity_quote = ev.equity_quote
    elif isinstance(ev, PairDiscovered):
        view.register_pair(ev.pair.pair, ev.pair.token, ev.pair.symbol)
    elif isinstance(ev, RiskAssessed):
        view.set_report(ev.report)
    elif isinstance(ev, TokenScored):
        view.set_score(ev.score)
    elif isinstance(ev, EarlyWarningRaised):
        view.add_warning(ev.token, ev.kind)
    elif isinstance(ev, BlockSeen):
        view.base_fee_wei = ev.base_fee_wei
    return None
