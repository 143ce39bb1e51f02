"""The backtest: recorded events fed to the live kernel, which trades on a simulated venue.

Why a driver and not a pipeline: everything that decides and books a trade is the kernel
:func:`claudedex.builder.build_kernel` builds for a live run (strategy runner, risk with
in-flight accounting, approval queue and its auto rules, execution's order state machine
and journal, portfolio, exits, the breaker). The backtest changes only the venue
(:class:`~claudedex.backtest.simvenue.SimulatedVenue`) and the clock (a
:class:`~claudedex.clock.ManualClock` the driver advances to each record's time).

Per record: the clock moves to its time, the venue takes its reserves (fills waiting for
this block land first), the kernel gets the event on its bus, and the driver waits until
every component is idle (no queued event, no order between steps, except those waiting for
a later block). Then proposals the profile's rules left to the operator are decided by
``approve``: ``auto`` leaves them to expire after ``approvals.proposal_ttl_s`` of replay
time, as live with nobody at the console; ``none`` rejects them; ``safe`` approves sells
and safe buys and rejects the rest; ``all`` approves every one the gate allows (risky or
unknown buys by the typed override). Each way is counted in the result.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claudedex.backtest.candle_feed import OFFSETS, address_for, candle_events
from claudedex.backtest.fastpath import TICK_READERS, QuietTicks, series_tables
from claudedex.backtest.result import BacktestResult, decision_kind, fee_in_quote
from claudedex.backtest.simvenue import SimConfig, SimulatedVenue
from claudedex.backtest.stretches import fold_stretch
from claudedex.backtest.tape import CandleTape, foldable, ohlc
from claudedex.bus import HandlerFailed
from claudedex.clock import ManualClock
from claudedex.config import Profile
from claudedex.domain import Side, Verdict
from claudedex.errors import ClaudeDexError, ReplayAborted, UserInputError
from claudedex.events import (
    ComponentFailed,
    EngineHaltChanged,
    Event,
    PriceTicked,
    ProposalDecided,
    SignalEmitted,
    TokenScored,
    TradeProposed,
)
from claudedex.heap import batch_collection
from claudedex.market.candles import Candle
from claudedex.strategy.runner import starting_equity

if TYPE_CHECKING:
    from claudedex.bus import EventBus, Subscription
    from claudedex.engine import Engine
    from claudedex.kernel import Kernel

Progress = Callable[[int], None]
WEI = 10**18
APPROVE_CHOICES = ("auto", "safe", "all", "none")
# the components whose mailboxes a replay drains in its own task, once started: each one's
# run loop is parked on its mailbox and the driver calls the loop's body (EventBus.pump)
PUMPED = ("strategy", "portfolio", "approvals", "execution")
PLACEHOLDER_QUOTE = "0x" + "ee" * 20  # a replay's quote token when the profile names none
PLACEHOLDER_ROUTER = "0x" + "dd" * 20  # the signer's allowed target (nothing is signed)
COLLECTED = (SignalEmitted.topic, TradeProposed.topic, ProposalDecided.topic,
             EngineHaltChanged.topic, ComponentFailed.topic)



def replay_profile(profile: Profile, candle_interval_s: float | None) -> Profile:
    """The profile a replay runs: SQLite in a scratch dir, a quote token, the data's candles."""
    chain = profile.chain
    if not chain.quote_token:
        chain = chain.model_copy(update={"quote_token": PLACEHOLDER_QUOTE})
    storage = profile.storage.model_copy(update={"url": "", "url_env": "", "redis_url_env": ""})
    params = dict(profile.strategy.params)
    if candle_interval_s:
        params["candle_interval_s"] = candle_interval_s
    strategy = profile.strategy.model_copy(update={"params": params})
    signer = profile.signer
    if not signer.allowed_targets and not any(v.router for v in profile.venues):
        signer = signer.model_copy(update={"allowed_targets": (PLACEHOLDER_ROUTER,)})
    return profile.model_copy(update={"chain": chain, "storage": storage, "strategy": strategy,
                                      "signer": signer})


class Backtest:
    """Wire with ``Backtest(profile, ...)``; run with :meth:`replay` (or the sync helpers).

    Raises :class:`~claudedex.errors.UserInputError` for an unknown ``approve`` word.
    """

    def __init__(self, profile: Profile, strategy_file: Path | None = None,
                 venue: SimConfig | None = None, candle_interval_s: float | None = None,
                 approve: str = "auto", fast: bool = True, pump: bool = True) -> None:
        if approve not in APPROVE_CHOICES:
            raise UserInputError(f"--approve {approve!r}: expected one of "
                                 f"{', '.join(APPROVE_CHOICES)}")
        self.profile = replay_profile(profile, candle_interval_s)
        self.strategy_file = strategy_file
        fee = self.profile.venues[0].fee_bps if self.profile.venues else 30
        self.config = venue or SimConfig(fee_bps=fee)
        self._candle_config = venue or SimConfig(fee_bps=fee, latency_blocks=0,
                                                 gas_price_wei=0)
        self.approve = approve
        self.fast = fast  # candles of a vectorised strategy: quiet ticks skip the bus
        self.pump = pump  # the components' mailboxes handled in the driver's task (PUMPED)
        self._series: Mapping[str, Sequence[Candle]] = {}
        self.clock = ManualClock()
        self.result = BacktestResult(starting_equity(self.profile))
        self._pending: dict[str, float] = {}  # proposal id -> replay time it was proposed
        self._candle_steps: tuple[float, float] | None = None  # (interval, close offset)
        self._settle_state: tuple[Any, Any, SimulatedVenue, Subscription] | None = None

    # -- sync entry points --------------------------------------------------------------

    def run_events(self, events: Iterable[Event],
                   progress: Progress | None = None) -> BacktestResult:
        return self._run(events, progress)

    def run_candles(self, series: Mapping[str, Sequence[Candle]], interval_s: float,
                    liquidity_quote: int = 1000 * WEI,
                    progress: Progress | None = None) -> BacktestResult:
        """Candles on virtual pools of ``liquidity_quote`` depth (see candle_feed); unless
        a venue config was given, fills land at the next open and cost no gas."""
        self.config = self._candle_config
        self.profile = replay_profile(self.profile, interval_s)  # the view's candles: these
        self._candle_steps = (interval_s, OFFSETS[-1] * interval_s)  # a step: a close tick
        self._series = series
        events: Iterable[Event] = candle_events(series, interval_s, liquidity_quote)
        if self.fast and len(series) == 1:
            [(name, candles)] = series.items()
            prices = ohlc(candles)
            if len(candles) and foldable(prices):  # whole stretches in one call
                events = CandleTape(name, candles, interval_s, liquidity_quote, prices)
        return self._run(events, progress)

    def _run(self, events: Iterable[Event], progress: Progress | None) -> BacktestResult:
        """``asyncio.run`` of the replay, whose task returns nothing: on the way out
        asyncio formats its SIGINT handler, which holds the main task, and a task holding
        the result would have the whole result (every equity point) formatted with it."""
        async def replay() -> None:
            await self.replay(events, progress)

        with batch_collection():
            asyncio.run(replay())
        return self.result

    # -- the replay -----------------------------------------------------------------------

    async def replay(self, events: Iterable[Event],
                     progress: Progress | None = None) -> BacktestResult:
        from claudedex.engine import Engine
        from claudedex.kernel import BuildOptions

        venue = SimulatedVenue(self.clock, self.config,
                               venue_name=self.profile.venues[0].name
                               if self.profile.venues else "simulated")
        options = BuildOptions(feeds=False, start_devnet=False, execute=True, replay=venue,
                               strategy_file=self.strategy_file)
        with tempfile.TemporaryDirectory(prefix="claudedex-backtest-") as scratch:
            engine = Engine(self.profile, data_dir=Path(scratch), clock=self.clock,
                            options=options, serve_control=False)
            # this task drains it after each step, and publishes (pumped) into it
            collector = engine.bus.subscribe("backtest", COLLECTED, unbounded=True)
            await engine.start()
            try:
                assert engine.kernel is not None
                await self._loop(engine, venue, collector, events, progress)
            finally:
                venue.abandon()
                engine.bus.unpump()
                collector.close()
                await engine.stop()
        kernel = engine.kernel
        book = kernel.portfolio.core.book
        result = self.result
        result.fills = venue.fills
        result.realized, result.gas_paid = book.realized, book.gas_paid
        result.fees_paid = sum(fee_in_quote(f) for f in venue.fills)
        result.symbols = dict(kernel.strategy.view.symbols)
        return result

    async def _loop(self, engine: Engine, venue: SimulatedVenue, collector: Subscription,
                    events: Iterable[Event], progress: Progress | None) -> None:
        assert engine.kernel is not None
        kernel, clock, result = engine.kernel, self.clock, self.result
        snap, view = kernel.strategy.view.portfolio, kernel.strategy.view
        steps = self._candle_steps
        bus = engine.bus
        self._settle_state = (bus, kernel.execution, venue, collector)
        quiet = self._quiet_ticks(kernel, venue, bus)
        tape = events if isinstance(events, CandleTape) else None
        retries = kernel.portfolio.core.retries
        await self._settle()
        self._drain(collector)
        if self.pump:  # from here on their events are handled in this task (EventBus.pump)
            result.pumped = bus.pump_mailboxes(PUMPED)
        for n, ev in enumerate(events, 1):
            tick = ev if isinstance(ev, PriceTicked) else None
            # a tick of an older block (two sources) is taken as the live clock takes it
            block = None if tick is None else max(tick.block_number, clock.block())
            clock.advance_to(max(ev.ts, clock.now()), block)
            waiting = venue.in_flight()
            venue.observe(ev)
            if quiet is not None and tick is not None and quiet.quiet(tick, bool(self._pending)):
                quiet.fold(tick)  # nothing in the kernel can act on it (fastpath.py)
            elif (quiet is not None and tick is not None
                  and quiet.deliverable(bool(self._pending))):
                await quiet.deliver(tick)  # its two readers' own handlers (fastpath.py)
                if bus.queued and bus.queued == kernel.strategy.waiting():
                    await kernel.strategy.drain()  # its marks only: nothing else to wait on
                if bus.queued or quiet.orders:
                    await self._settle()  # an exit, a halt: the kernel's own pace
                    self._drain(collector)
                    if self.approve != "auto" or self._pending:
                        await self._decide(engine)
            else:
                if venue.in_flight() != waiting:
                    await self._settle()  # fills of this block land before the kernel sees it
                await bus.publish(ev)
                await self._settle()
                self._drain(collector)
                if self.approve != "auto" or self._pending:
                    await self._decide(engine)
                if retries.retry_at and await kernel.portfolio.retry_due():
                    await self._settle()  # failed exits due again, on the replay's clock
                    self._drain(collector)
            if tick is not None and (steps is None or tick.ts % steps[0] >= steps[1] - 1e-6):
                result.equity.append((clock.now(), snap.equity_quote))
                result.exposed.append(bool(snap.positions))
                pool = view.pools.get(tick.pair)
                if pool is not None and pool.reserve_token > 0:
                    result.prices.setdefault(pool.pair, []).append(
                        (clock.now(), pool.reserve_quote / pool.reserve_token))
                result.steps += 1
            elif isinstance(ev, TokenScored):
                result.scores += 1
            if progress is not None and n % 1000 == 0:
                progress(n)
            if tape is not None and quiet is not None and tape.at_candle_start():
                last_tick = fold_stretch(tape, quiet, kernel, venue, clock, result,
                                         bool(self._pending))
                if last_tick is not None:  # a held stretch: the portfolio marks its end
                    await self._deliver(quiet, kernel, last_tick)
        if quiet is not None:
            result.quiet_ticks, result.direct_ticks = quiet.folded, quiet.delivered
            result.held_folded = quiet.held_folded

    async def _deliver(self, quiet: QuietTicks, kernel: Kernel, tick: PriceTicked) -> None:
        """Hand ``tick`` to the runner and the portfolio; their marks drained at once."""
        await quiet.deliver(tick)
        bus = kernel.bus
        if bus.queued and bus.queued == kernel.strategy.waiting():
            await kernel.strategy.drain()
        if bus.queued or quiet.orders:  # not expected: the stretch ended before any alarm
            await self._settle()
            assert self._settle_state is not None
            self._drain(self._settle_state[3])

    def _quiet_ticks(self, kernel: Kernel, venue: SimulatedVenue,
                     engine_bus: EventBus) -> QuietTicks | None:
        """A vectorised strategy on candles: its columns over the file, set on its view
        (both paths read them); with ``fast``, the judge of which ticks skip the bus."""
        strategy = kernel.strategy.decider.strategy
        if not self._series or self._candle_steps is None or not strategy.vectorised:
            return None
        interval = self._candle_steps[0]
        if any(c.ts % interval for cs in self._series.values() for c in cs):
            # the view's candles are the interval's buckets; a file's candle that opens
            # off a bucket would be read before its close: the strategy folds the view's
            return None
        pair_of = {name: address_for("pair", name) for name in self._series}
        tables = series_tables(strategy, self._series, pair_of, interval)
        kernel.strategy.view.set_series(tables)
        if not self.fast or engine_bus.subscribers(PriceTicked.topic) != list(TICK_READERS):
            return None  # a tick reader the fast path does not know of: the bus for all
        return QuietTicks(kernel, venue, tables, interval, kernel.portfolio.view)

    def _drain(self, collector: Subscription) -> None:
        """Take what the kernel published this step into the result."""
        result = self.result
        while (ev := collector.get_nowait()) is not None:
            if isinstance(ev, SignalEmitted):
                result.signals.append(ev.signal)
            elif isinstance(ev, TradeProposed):
                result.proposals.append(ev.proposal)
                self._pending[ev.proposal.id] = self.clock.now()
            elif isinstance(ev, ProposalDecided):
                result.decisions.append(ev)
                self._pending.pop(ev.proposal_id, None)
                result.approvals[decision_kind(ev)] += 1
            elif isinstance(ev, EngineHaltChanged) and ev.halted and not result.halted:
                result.halted = ev.reason
            elif isinstance(ev, ComponentFailed):
                raise ReplayAborted(ev.component, ev.error)
        result.dropped = max(0, len(result.signals) - len(result.proposals))

    async def _decide(self, engine: Engine) -> None:
        """Proposals the rules left to the operator: decided as ``approve`` says."""
        queue = engine.approvals
        ttl = self.profile.approvals.proposal_ttl_s
        changed = False
        for proposal in queue.pending():
            try:
                if self.approve == "auto":
                    since = self._pending.get(proposal.id, self.clock.now())
                    if self.clock.now() - since > ttl:
                        await queue.reject(proposal.id, f"expired: not decided in {ttl}s",
                                           by="backtest:expired")
                        changed = True
                    continue
                buy_risky = proposal.side is Side.BUY and proposal.verdict is not Verdict.SAFE
                if self.approve == "none" or (self.approve == "safe" and buy_risky):
                    await queue.reject(proposal.id, f"--approve {self.approve}",
                                       by=f"backtest:{self.approve}")
                elif buy_risky:
                    await queue.override(proposal.id, accept_risky=True, confirmation="RISKY",
                                         by=f"backtest:{self.approve}")
                else:
                    await queue.approve(proposal.id, by=f"backtest:{self.approve}")
                changed = True
            except ClaudeDexError as exc:  # halted, or the gate refuses: say so in the count
                self.result.approvals[f"refused: {type(exc).__name__}"] += 1
                await queue.reject(proposal.id, str(exc), by="backtest:refused")
                changed = True
        if changed:
            await self._settle()

    async def _settle(self) -> None:
        """Return once every component is idle: no event queued for anyone, no order
        between two steps except those the venue holds for a later block.

        Pumped (the components' mailboxes handled here): idle is known without waiting:
        every task that can still run is an order's (ExecutionEngine.unfinished) or reads
        a mailbox that holds an event (the engine's block clock, on a swap history).
        Otherwise two quiet turns of the loop in a row: a task created in the last turn
        has run its first step (execution claims its order before its first await)."""
        assert self._settle_state is not None
        bus, execution, venue, collector = self._settle_state
        orders, waiting = execution.orders, venue.waiting
        quiet = turns = 0
        if self.result.pumped:  # the mailboxes this driver took, once, at the start
            while True:
                if bus.pumped_pending():
                    await self._pump(bus)
                elif (bus.queued > collector.pending()
                      or max(execution.unfinished(), len(orders)) > len(waiting)):
                    await asyncio.sleep(0)  # an order's task, or a reader's: its next step
                    turns += 1
                    if turns > 100_000:
                        raise RuntimeError(f"the kernel did not settle: {bus.stats()}")
                else:
                    return
        while quiet < 2:
            if bus.queued > collector.pending():
                await self._pump(bus)
            # nothing a replay runs waits on I/O (its journal is in memory): only turns of
            # the loop; a component stuck mid-step would be a bug, not a wait
            await asyncio.sleep(0)
            turns += 1
            if turns > 100_000:
                raise RuntimeError(f"the kernel did not settle: {bus.stats()}")
            # the bus's own count of queued events, less what waits for this driver
            if bus.queued > collector.pending() or len(orders) > len(waiting):
                quiet = 0
            else:
                quiet += 1


    @staticmethod
    async def _pump(bus: EventBus) -> None:
        """The pumped components' events, handled now; a handler's fault ends the replay
        (the live supervisor would restart the component: a replay would go on without it)."""
        try:
            await bus.pump()
        except HandlerFailed as exc:
            raise ReplayAborted(exc.subscriber,
                                f"{type(exc.error).__name__}: {exc.error}") from exc.error


__all__ = ["APPROVE_CHOICES", "Backtest", "BacktestResult", "ReplayAborted", "replay_profile"]
