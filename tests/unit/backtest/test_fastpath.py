"""The candle replay's fast path makes exactly the trades the plain path makes.

A vectorised strategy lets the driver fold quiet ticks (flat book, no ``enter`` on the last
closed candle) into the views instead of sending them through the kernel. Each case replays
the same candles with ``fast=True`` and ``fast=False`` and compares every fill, signal,
decision and equity step; and the fast run must actually have skipped ticks.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from claudedex.backtest.replay import Backtest, BacktestResult
from claudedex.market.candles import Candle
from tests.unit.backtest.helpers import profile

STEP = 300
T0 = 1_700_000_100  # a multiple of STEP: the view's candles are the file's

SMA_FILE = '''
from claudedex.strategy import Strategy


class SmaCross(Strategy):
    name = "sma_cross"
    defaults = {"fast": 5, "slow": 15}
    startup_candle_count = 15
    vectorised = True

    def __init__(self, params=None):
        super().__init__(params)
        self.fast, self.slow = int(self.params["fast"]), int(self.params["slow"])
        self.seen = {}

    def indicators(self, frame):
        fast = frame["close"].rolling(self.fast).mean()
        slow = frame["close"].rolling(self.slow).mean()
        up = (fast.shift(1) < slow.shift(1)) & (fast > slow)
        down = (fast.shift(1) > slow.shift(1)) & (fast < slow)
        return {"enter": up.to_numpy(), "exit": down.to_numpy()}

    def evaluate(self, pair, view, clock):
        n = view.candle_count(pair)
        if n == self.seen.get(pair):
            return []
        self.seen[pair] = n
        token = view.pair_token.get(pair, pair)
        held = view.portfolio.positions.get(token, 0) > 0
        if not held and self.indicator(view, pair, "enter"):
            return [self.signal(pair, token, "buy", "up")]
        if held and self.indicator(view, pair, "exit"):
            return [self.signal(pair, token, "sell", "down")]
        return []
'''


def walk(n: int, seed: int = 7, start: int = T0) -> list[Candle]:
    """A seeded random walk of ``n`` aligned candles (wide enough moves for the exits)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.006, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    wick = np.abs(rng.normal(0.0, 0.002, (2, n)))
    high = np.maximum(open_, close) * (1 + wick[0])
    low = np.minimum(open_, close) * (1 - wick[1])
    return [Candle(float(start + i * STEP), float(open_[i]), float(high[i]), float(low[i]),
                   float(close[i]), 5.0) for i in range(n)]


def record(r: BacktestResult) -> dict[str, Any]:
    return {
        "fills": [(f.ts, f.block, f.side.value, f.amount_in, f.amount_out, f.reverted)
                  for f in r.fills],
        "signals": [(s.strategy, s.side.value, s.reason, s.strength) for s in r.signals],
        "proposals": [(p.side.value, p.amount_in, p.min_amount_out) for p in r.proposals],
        "decisions": [(d.decision, d.by) for d in r.decisions],
        "equity": r.equity, "exposed": r.exposed, "prices": r.prices,
        "realized": r.realized, "steps": r.steps, "halted": r.halted,
    }


def both(make: Any, candles: list[Candle]) -> tuple[BacktestResult, BacktestResult]:
    runs = [make(fast).run_candles({"ETH_USDT": candles}, STEP) for fast in (True, False)]
    return runs[0], runs[1]


EXITS = {"stop_loss_pct": 2, "trailing_pct": 2, "take_profit": [[3, 0.5]]}


@pytest.mark.parametrize("params", [{}, EXITS])
def test_momentum_fast_and_plain_make_the_same_trades(params: dict[str, Any]) -> None:
    prof = profile("momentum", **params)
    fast, plain = both(lambda f: Backtest(prof, candle_interval_s=STEP, fast=f), walk(3000))
    assert len(fast.fills) >= 10  # not a vacuous comparison
    assert fast.quiet_ticks > 1000 and plain.quiet_ticks == 0
    assert fast.direct_ticks > 1000 and plain.direct_ticks == 0
    assert record(fast) == record(plain)


@pytest.mark.parametrize("params", [{}, EXITS])
def test_a_strategy_file_fast_and_plain_make_the_same_trades(
        tmp_path: Path, params: dict[str, Any]) -> None:
    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE)
    prof = profile("sma_cross", **params)
    fast, plain = both(lambda f: Backtest(prof, strategy_file=path, candle_interval_s=STEP,
                                          fast=f), walk(3000, seed=11))
    assert len(fast.fills) >= 20
    assert any(s.strategy == "exit" for s in fast.signals) == bool(params)
    assert fast.quiet_ticks > 1000 and fast.direct_ticks > 1000
    assert record(fast) == record(plain)


def test_off_bucket_candles_take_the_plain_path() -> None:
    """Candles that open off the interval's buckets: no table, no skipping (the view's
    candles are the buckets, and a table row would be read before its candle closed)."""
    r = Backtest(profile("momentum"), candle_interval_s=STEP).run_candles(
        {"ETH_USDT": walk(400, start=T0 + 7)}, STEP)
    assert r.quiet_ticks == 0 and r.steps == 400


def test_the_benchmark_strategy_file_is_vectorised(tmp_path: Path) -> None:
    bench = Path(__file__).resolve().parents[3] / "benchmarks" / "backtest_vs_peers.py"
    spec = importlib.util.spec_from_file_location("bench_peers", bench)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path / "sma_cross.py"
    path.write_text(module.CLAUDEDEX_STRATEGY)
    prof = profile("sma_cross")
    fast, plain = both(lambda f: Backtest(prof, strategy_file=path, candle_interval_s=STEP,
                                          fast=f), walk(1500, seed=3))
    assert fast.fills and fast.quiet_ticks > 0
    assert record(fast) == record(plain)


def test_a_table_is_read_only_at_the_last_closed_candle() -> None:
    """The lookahead guard: a row shows once its candle has closed in the view, not before."""
    from claudedex.clock import ManualClock
    from claudedex.market.view import MarketView, SeriesTable

    clock = ManualClock()
    view = MarketView(clock, STEP)
    view.set_series({"p": SeriesTable({float(T0 + i * STEP): i for i in range(3)},
                                      {"enter": np.array([True, False, True])})})
    clock.advance_to(T0)
    view.update_reserves("p", 100, 100, 1, T0)
    assert view.series_value("p", "enter") is None  # candle 0 still forming
    clock.advance_to(T0 + STEP)
    view.update_reserves("p", 100, 100, 2, T0 + STEP)
    assert view.series_value("p", "enter")  # candle 0 closed: row 0 only
    clock.advance_to(T0 + 2 * STEP - 1)
    view.update_reserves("p", 100, 100, 3, T0 + 2 * STEP - 1)
    assert view.series_value("p", "enter")  # row 1 not before candle 1 closes
    clock.advance_to(T0 + 2 * STEP)
    view.update_reserves("p", 100, 100, 4, T0 + 2 * STEP)
    assert not view.series_value("p", "enter")


def test_momentum_reads_the_same_from_its_table_as_from_its_live_fold() -> None:
    """Live (no table: the analyzer folds the view's candles) and backtest (the table over
    the file) give the same signals candle by candle on the same candles."""
    from claudedex.backtest.fastpath import series_tables
    from claudedex.clock import ManualClock
    from claudedex.market.view import MarketView
    from claudedex.strategy import build_strategy

    candles = walk(600, seed=5)
    params = {"ema_fast": 3, "ema_slow": 8, "rsi_period": 5, "breakout_lookback": 5}
    live, table = build_strategy("momentum", params), build_strategy("momentum", params)
    clock = ManualClock()
    views = [MarketView(clock, STEP), MarketView(clock, STEP)]
    views[1].set_series(series_tables(table, {"X": candles}, {"X": "p"}, STEP))
    got: list[list[tuple[str, str]]] = [[], []]
    for c in candles:
        clock.advance_to(c.ts + STEP)
        for view, strategy, out in zip(views, (live, table), got, strict=True):
            view.register_pair("p", "t")
            view.add_candle("p", c)
            out.extend((s.side.value, s.reason) for s in strategy.evaluate("p", view, clock))
    assert len(got[0]) >= 10 and got[0] == got[1]


def test_a_vectorised_file_computes_live_over_the_views_candles(tmp_path: Path) -> None:
    from claudedex.clock import ManualClock
    from claudedex.market.view import MarketView
    from claudedex.strategy import build_strategy
    from claudedex.strategy.base import candle_frame

    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE)
    strategy = build_strategy("sma_cross", {}, path)
    candles = walk(300, seed=9)
    clock = ManualClock()
    view = MarketView(clock, STEP)
    full = strategy.indicators(candle_frame(candles, STEP))
    for i, c in enumerate(candles):
        clock.advance_to(c.ts + STEP)
        view.add_candle("p", c)
        assert bool(strategy.indicator(view, "p", "enter")) == bool(full["enter"][i])


# exits tight enough to fire often on the walk: stop-loss and a two-rung take-profit
# ladder (the first rung a partial sell); with a trailing stop; with a time exit
LADDER = {"stop_loss_pct": 1.5, "trailing_pct": 0, "take_profit": [[1.0, 0.5], [2.0, 0.5]]}
TRAIL = {"stop_loss_pct": 1.5, "trailing_pct": 1.2, "take_profit": [[1.0, 0.5]]}


@pytest.mark.parametrize("params", [
    LADDER,
    TRAIL,
    {**TRAIL, "max_hold_s": 6 * STEP},
    {"stop_loss_pct": 0, "trailing_pct": 0, "take_profit": [],
     "limits": {"max_drawdown_pct": "0.1"}},
    {"stop_loss_pct": 0, "trailing_pct": 0, "take_profit": [],
     "limits": {"daily_loss_limit_quote": "0.004"}},
])
def test_held_stretches_marked_in_bulk_make_the_same_trades(
        tmp_path: Path, params: dict[str, Any]) -> None:
    """Held ticks before the first one that could fire an exit rule (or the breaker, or a
    new day) are marked in bulk; every fill, signal, equity step and the halt match the
    plain path's, and the exits under test did fire."""
    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE)
    prof = profile("sma_cross", **{k: v for k, v in params.items() if k != "limits"})
    if "limits" in params:  # the breaker halts the engine at this drawdown or daily loss
        prof = prof.model_copy(update={"limits": prof.limits.model_copy(
            update={k: Decimal(v) for k, v in params["limits"].items()})})
    fast, plain = both(lambda f: Backtest(prof, strategy_file=path, candle_interval_s=STEP,
                                          fast=f), walk(3000, seed=11))
    reasons = {s.reason.split(":")[0] for s in fast.signals if s.strategy == "exit"}
    rungs = {s.reason.split("step ")[1][0] for s in fast.signals
             if s.reason.startswith("take_profit")}
    if params is LADDER:
        assert "stop_loss" in reasons and rungs == {"1", "2"}  # the partial rung, the last
    elif params["trailing_pct"]:
        assert {"stop_loss", "take_profit", "trailing_stop"} <= reasons and rungs == {"1"}
    if "max_hold_s" in params:
        assert "time_exit" in reasons
    if "limits" in params:
        daily = "daily_loss_limit_quote" in params["limits"]
        assert fast.halted.startswith("daily loss limit" if daily else "drawdown breaker")
    assert fast.held_folded > 500 and plain.held_folded == 0
    assert record(fast) == record(plain)


def test_the_exit_band_holds_every_mark_at_which_a_rule_fires() -> None:
    """ExitRules.band: a mark (or time) at which check() fires is inside the band."""
    from claudedex.portfolio.book import Position
    from claudedex.portfolio.exits import ExitRules

    rules = ExitRules.from_params({"stop_loss_pct": 5, "trailing_pct": 3,
                                   "take_profit": [[4, 0.5], [9, 1]], "max_hold_s": 600})
    rng = np.random.default_rng(1)
    fired = 0
    for _ in range(3000):
        cost = int(rng.integers(10**15, 10**18)) * 1000
        pos = Position("t", amount=10**18, cost_quote=cost, opened_ts=1000.0,
                       peak_mark=int(cost * rng.uniform(0.9, 1.2)),
                       ladder_done=int(rng.integers(0, 3)))
        mark, now = int(cost * rng.uniform(0.9, 1.15)), float(rng.uniform(1000, 1700))
        band = rules.band(pos)
        assert band is not None
        hit = rules.check(pos, mark, now)
        if hit is None:
            continue
        fired += 1
        kind = hit[0].split(":")[0]
        if kind == "stop_loss":
            assert band.stop_mark is not None and mark <= band.stop_mark
        elif kind == "take_profit":
            assert band.take_mark is not None and mark >= band.take_mark
        elif kind == "trailing_stop":
            assert band.trail_pct is not None and pos.peak_mark > band.cost
            assert Decimal(mark) <= pos.peak_mark * (1 - band.trail_pct / 100)
        else:
            assert band.deadline is not None and now >= band.deadline
    assert fired > 500
    assert rules.band(Position("t")) is None  # nothing held: nothing can fire


def test_a_strategy_that_raises_stops_the_replay(tmp_path: Path) -> None:
    """Live, the supervisor restarts a crashed strategy; a replay going on without it would
    report the figures of a run missing its signals: it stops, naming the component."""
    from claudedex.backtest.replay import ReplayAborted

    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE.replace("        token = view.pair_token.get(pair, pair)\n",
                                     "        if n == 400:\n"
                                     "            raise KeyError('candle 400')\n"
                                     "        token = view.pair_token.get(pair, pair)\n"))
    bt = Backtest(profile("sma_cross"), strategy_file=path, candle_interval_s=STEP)
    with pytest.raises(ReplayAborted, match="strategy component failed.*candle 400"):
        bt.run_candles({"ETH_USDT": walk(3000, seed=11)}, STEP)
    assert bt.result.signals  # it had signalled before the failure: it stopped mid-run


def test_the_columns_a_strategy_gets_are_read_only(tmp_path: Path) -> None:
    """A strategy that rewrote a column (by mistake or to peek) would change what the
    replay reads later; the tables are copies, and writing one raises."""
    from claudedex.backtest.fastpath import series_tables
    from claudedex.strategy.registry import load_strategy_file

    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE)
    strategy = load_strategy_file(path)["sma_cross"]()
    candles = walk(300)
    [table] = series_tables(strategy, {"X": candles}, {"X": "p"}, STEP).values()
    with pytest.raises(ValueError, match="read-only"):
        table.columns["enter"][0] = True


def test_a_strategy_reads_the_clock_but_cannot_move_it(tmp_path: Path) -> None:
    """The replay's clock is a ManualClock; a strategy that advanced it (a year ahead, say)
    would trade on candles it has not seen. It gets the readings only, through its
    ``clock`` argument and its view alike."""
    from claudedex.backtest.replay import ReplayAborted

    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE.replace("        token = view.pair_token.get(pair, pair)\n",
                                     "        assert clock.now() == view.clock.now() > 0\n"
                                     "        if n >= 300:  # the first candle it sees after\n"
                                     "            clock.advance_to(clock.now() + 86400 * 365)\n"
                                     "        token = view.pair_token.get(pair, pair)\n"))
    bt = Backtest(profile("sma_cross"), strategy_file=path, candle_interval_s=STEP)
    with pytest.raises(ReplayAborted, match="AttributeError.*advance_to"):
        bt.run_candles({"ETH_USDT": walk(3000, seed=11)}, STEP)


@pytest.mark.parametrize("params", [{}, EXITS])
def test_several_pairs_fast_and_plain_make_the_same_trades(
        tmp_path: Path, params: dict[str, Any]) -> None:
    """Two series on one clock: while one pair is held, the other's ticks reach the
    strategy and the portfolio without the bus; the fills, signals and equity are those
    of every tick on the bus."""
    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE)
    prof = profile("sma_cross", **params)
    series = {"ETH_USDT": walk(1500, seed=11), "BTC_USDT": walk(1500, seed=12)}
    fast, plain = (Backtest(prof, strategy_file=path, candle_interval_s=STEP, fast=f)
                   .run_candles(series, STEP) for f in (True, False))
    assert len(fast.fills) >= 20
    assert {f.pair for f in fast.fills} == {f.pair for f in plain.fills} and \
        len({f.pair for f in fast.fills}) == 2  # both pairs traded
    assert fast.quiet_ticks > 1000 and fast.direct_ticks > 1000
    assert record(fast) == record(plain)


def test_a_frame_kept_from_indicators_holds_no_prices_afterwards() -> None:
    """Red team: `indicators` stored the whole-file frame it was handed and `evaluate` read
    the forming candle's close from it (Sharpe 29.7 instead of -49.6); the lookahead check
    compares columns only, so it passed. The frame's prices are wiped once the columns are
    taken (a copy the strategy makes itself is not prevented)."""
    from claudedex.backtest.fastpath import series_tables
    from claudedex.strategy.base import Strategy

    class Keeper(Strategy):
        name = "keeper"
        vectorised = True
        kept: Any = None

        def indicators(self, frame: Any) -> dict[str, Any]:
            Keeper.kept = frame
            return {"enter": (frame["close"] > frame["open"]).to_numpy(),
                    "close": frame["close"].to_numpy()}

    candles = walk(200)
    tables = series_tables(Keeper(), {"ETH_USDT": candles}, {"ETH_USDT": "p"}, STEP)
    assert list(tables["p"].columns["close"]) == [c.close for c in candles]  # intact
    assert Keeper.kept is not None and Keeper.kept["close"].isna().all()
    assert Keeper.kept["ts"].isna().all()  # no clock to line it up with either
