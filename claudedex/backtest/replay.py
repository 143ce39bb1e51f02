"""The backtest: replays history through the live Decider, Portfolio and risk manager.

Order per price update: the clock advances to the record's time, the view takes the new
reserves, orders whose latency has elapsed fill against them, positions are re-marked and
exits checked, and only then does the strategy see the update. Every proposal is approved
(as an auto-approve-all rule would), except that nothing trades after the breaker halts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path

from claudedex.backtest.venue import SimFill, VenueConfig, fill
from claudedex.clock import ManualClock
from claudedex.config import Profile
from claudedex.domain import Side, Signal, TradeProposal
from claudedex.events import EarlyWarningRaised, Event, PriceTicked, TokenScored
from claudedex.market.candles import Candle
from claudedex.market.ingest import ingest
from claudedex.market.view import MarketView
from claudedex.portfolio.core import Portfolio
from claudedex.portfolio.exits import ExitRules
from claudedex.risk.manager import Assessment, RiskManager, settings_from_profile
from claudedex.strategy.runner import build_decider, starting_equity

Progress = Callable[[int], None]
WEI = 10**18


@dataclass(slots=True)
class BacktestResult:
    starting_cash: int
    equity: list[tuple[float, int]] = field(default_factory=list)
    exposed: list[bool] = field(default_factory=list)
    fills: list[SimFill] = field(default_factory=list)
    proposals: list[TradeProposal] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    dropped: list[Assessment] = field(default_factory=list)
    realized: int = 0
    gas_paid: int = 0
    fees_paid: int = 0
    halted: str = ""
    steps: int = 0
    scores: int = 0  # TokenScored records replayed (the ai strategy trades only on these)


class Backtest:
    def __init__(
        self,
        profile: Profile,
        strategy_file: Path | None = None,
        venue: VenueConfig | None = None,
        candle_interval_s: float | None = None,
    ) -> None:
        params = profile.strategy.params
        self.clock = ManualClock()
        interval = candle_interval_s or float(params.get("candle_interval_s", 60))
        self.view = MarketView(self.clock, interval)
        settings = settings_from_profile(profile)
        counter = itertools.count(1)
        self.risk = RiskManager(settings, "backtest", new_id=lambda: f"bt-{next(counter):06d}")
        self.decider = build_decider(profile, self.clock, self.view, strategy_file, self.risk)
        cash = starting_equity(profile)
        self.portfolio = Portfolio(settings, ExitRules.from_params(params), cash)
        self.venue = venue or VenueConfig(fee_bps=settings.fee_bps)
        self.result = BacktestResult(cash)
        self._pending: list[tuple[int, TradeProposal]] = []
        self.portfolio.mark(self.view, 0.0)

    # -- shared steps -----------------------------------------------------------------

    def _queue(self, results: Iterable[Assessment], due: int) -> None:
        for r in results:
            self.result.signals.append(r.signal)
            if r.proposal is None:
                self.result.dropped.append(r)
            elif not self.result.halted:
                self.result.proposals.append(r.proposal)
                self._pending.append((due, r.proposal))

    def _execute_due(self, pair: str, block: int) -> bool:
        if not self._pending:
            return False
        done = False
        keep: list[tuple[int, TradeProposal]] = []
        pool = self.view.pools.get(pair)
        for due, p in self._pending:
            if p.pair != pair or block < due or pool is None:
                keep.append((due, p))
                continue
            held = self.portfolio.book.positions.get(p.token)
            f = fill(self.venue, p, pool, held.amount if held else 0, self.clock.now(), block)
            self.result.fills.append(f)
            fee = self.venue.fee_bps
            if p.side is Side.BUY:
                self.result.fees_paid += f.amount_in * fee // 10_000
            else:
                self.result.fees_paid += f.amount_out * fee // (10_000 - fee)
            done = True
            self.portfolio.on_fill(
                p.token, p.side, f.amount_in, f.amount_out, f.gas_cost_wei, self.clock.now(), p.pair
            )
        self._pending = keep
        return done

    def _after_price(self, pair: str, block: int) -> None:
        filled = self._execute_due(pair, block)
        token = self.view.pair_token.get(pair, "")
        pos = self.portfolio.book.positions.get(token)
        if filled or (pos is not None and pos.amount > 0):
            self._mark_and_exit(token, block)
        self._queue(self.decider.evaluate(pair), block + self.venue.latency_blocks)

    def _mark_and_exit(self, token: str, block: int) -> None:
        """Re-mark after a fill or while ``token`` is held; queue its exits (SL/TP/trailing)."""
        now = self.clock.now()
        marks = self.portfolio.mark(self.view, now)
        if marks.halt_reason and not self.result.halted:
            self.result.halted = marks.halt_reason
            self._pending.clear()
        if not self.result.halted:
            exits = self.portfolio.exits(self.view, now, only=token)
            self._queue(
                (self.risk.assess(s, self.view, self.clock) for s in exits),
                block + self.venue.latency_blocks,
            )

    def _record(self) -> None:
        snap = self.view.portfolio
        self.result.equity.append((self.clock.now(), snap.equity_quote))
        self.result.exposed.append(bool(snap.positions))
        self.result.steps += 1

    def _finish(self) -> BacktestResult:
        self.result.realized = self.portfolio.book.realized
        self.result.gas_paid = self.portfolio.book.gas_paid
        return self.result

    # -- swap-history replay ----------------------------------------------------------

    def run_events(
        self, events: Iterable[Event], progress: Progress | None = None
    ) -> BacktestResult:
        clock = self.clock
        for n, ev in enumerate(events, 1):
            # A tick of an older block (two sources, a quote at the head) is taken as the live
            # clock takes it: the block seen so far stays the highest.
            block = max(ev.block_number, clock.block()) if isinstance(ev, PriceTicked) else None
            clock.advance_to(max(ev.ts, clock.now()), block)
            pair = ingest(self.view, ev)
            if pair is not None:
                self._after_price(pair, self.clock.block())
                self._record()
            elif isinstance(ev, TokenScored):
                self.result.scores += 1
            elif isinstance(ev, EarlyWarningRaised) and not self.result.halted:
                sig = self.portfolio.anti_rug(ev.token, ev.kind, self.clock.now())
                if sig is not None:
                    self._queue(
                        [self.risk.assess(sig, self.view, self.clock)],
                        self.clock.block() + self.venue.latency_blocks,
                    )
            if progress is not None and n % 1000 == 0:
                progress(n)
        return self._finish()

    # -- candle replay ----------------------------------------------------------------

    def run_candles(
        self,
        series: dict[str, list[Candle]],
        interval_s: float,
        liquidity_quote: int = 1000 * WEI,
        progress: Progress | None = None,
    ) -> BacktestResult:
        """Candles feed a virtual constant-product pool of ``liquidity_quote`` depth per pair,
        priced at the candle's open (fills land at the next open) and then at its close."""
        view, clock, result = self.view, self.clock, self.result
        for pair in series:
            view.register_pair(pair, pair, pair)
        if len(series) == 1:  # one pair: a stable sort by time alone gives the same order
            [(only, candles)] = series.items()
            merged = [(c.ts, only, c) for c in sorted(candles, key=attrgetter("ts"))]
        else:
            merged = sorted(
                ((c.ts, pair, c) for pair, cs in series.items() for c in cs), key=itemgetter(0, 1)
            )
        # The loop is _after_price + _record inlined for the common step (nothing pending,
        # nothing held): the same calls in the same order, without the per-call overhead.
        # tests/unit/backtest/test_fast_candles.py checks it against the plain steps.
        latency = self.venue.latency_blocks
        positions = self.portfolio.book.positions
        pair_token = view.pair_token
        evaluate = self.decider.evaluate
        advance, now = clock.advance_to, clock.now
        add_candle, set_pool = view.add_candle, view.set_pool
        equity_append, exposed_append = result.equity.append, result.exposed.append
        snap = view.portfolio  # one snapshot object for the view's life, updated in place
        steps_before = len(result.equity)
        block = 0
        for n, (ts, pair, c) in enumerate(merged, 1):
            block += 1
            if self._pending and c.open > 0:
                advance(max(ts, now()), block)
                set_pool(pair, pair, int(liquidity_quote / c.open), liquidity_quote, block, ts)
                if self._execute_due(pair, block):
                    self.portfolio.mark(view, now())
            close_ts = ts + interval_s
            t = now()
            advance(close_ts if close_ts >= t else t, block)
            add_candle(pair, c)
            if c.close > 0:
                set_pool(
                    pair, pair, int(liquidity_quote / c.close), liquidity_quote, block, close_ts
                )
                filled = self._execute_due(pair, block) if self._pending else False
                token = pair_token.get(pair, "")
                pos = positions.get(token)
                if filled or (pos is not None and pos.amount > 0):
                    self._mark_and_exit(token, block)
                found = evaluate(pair)
                if found:
                    self._queue(found, block + latency)
            equity_append((now(), snap.equity_quote))
            exposed_append(bool(snap.positions))
            if progress is not None and n % 10_000 == 0:
                progress(n)
        result.steps += len(result.equity) - steps_before
        return self._finish()
