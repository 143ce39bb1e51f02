"""A replay that handles the components' mailboxes in its own task makes the same trades.

With ``pump=True`` (the default) the driver calls the strategy runner's, the portfolio's,
the approval queue's and execution's own handlers (EventBus.pump) instead of waking
their tasks; with ``pump=False`` each component takes its events in its own task, as
live. Each case replays both ways and compares every fill, signal, decision and equity
step; the pumped run must actually have pumped all four.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claudedex.backtest.data import swap_events
from claudedex.backtest.replay import PUMPED, Backtest, BacktestResult
from claudedex.backtest.simvenue import SimConfig
from claudedex.errors import ReplayAborted
from tests.unit.backtest.helpers import profile
from tests.unit.backtest.test_fastpath import EXITS, SMA_FILE, STEP, record, walk
from tests.unit.backtest.test_kernel_backtest import (  # its fixture registers Scripted
    Scripted,
    _scripted,  # noqa: F401
    history,
)


def pumped_and_tasks(make: Any, run: Any) -> tuple[BacktestResult, BacktestResult]:
    pumped, tasks = (run(make(pump)) for pump in (True, False))
    assert pumped.pumped == list(PUMPED) and tasks.pumped == []
    return pumped, tasks


@pytest.mark.parametrize("params", [{}, EXITS])
def test_a_strategy_file_pumped_and_on_tasks_make_the_same_trades(
        tmp_path: Path, params: dict[str, Any]) -> None:
    path = tmp_path / "sma.py"
    path.write_text(SMA_FILE)
    prof = profile("sma_cross", **params)
    pumped, tasks = pumped_and_tasks(
        lambda p: Backtest(prof, strategy_file=path, candle_interval_s=STEP, pump=p),
        lambda bt: bt.run_candles({"ETH_USDT": walk(3000, seed=11)}, STEP))
    assert len(pumped.fills) >= 20  # not a vacuous comparison
    assert any(s.strategy == "exit" for s in pumped.signals) == bool(params)
    assert record(pumped) == record(tasks)


def test_momentum_on_the_plain_path_pumped_and_on_tasks_make_the_same_trades() -> None:
    """Every tick on the bus (no fast path): the pump alone stands in for the tasks."""
    prof = profile("momentum", **EXITS)
    pumped, tasks = pumped_and_tasks(
        lambda p: Backtest(prof, candle_interval_s=STEP, fast=False, pump=p),
        lambda bt: bt.run_candles({"ETH_USDT": walk(2000)}, STEP))
    assert len(pumped.fills) >= 10
    assert record(pumped) == record(tasks)


@pytest.mark.parametrize("latency", [0, 2])
def test_a_swap_history_with_fills_blocks_later_is_the_same_pumped(
        tmp_path: Path, latency: int) -> None:
    """Orders that wait at the venue for a later block stay tasks: pumping the mailboxes
    around them changes none of the fills."""
    path = history(tmp_path / "h.jsonl", buy_tax=300, sell_tax=500)
    prof = profile("scripted", cooldown_s=0)

    def run(bt: Backtest) -> BacktestResult:
        Scripted.ticks = {}
        return bt.run_events(swap_events(path))

    pumped, tasks = pumped_and_tasks(
        lambda p: Backtest(prof, venue=SimConfig(latency_blocks=latency), pump=p), run)
    assert [f.side.value for f in pumped.fills] == ["buy", "sell"]
    assert record(pumped) == record(tasks)


def test_a_pumped_component_that_raises_stops_the_replay(tmp_path: Path) -> None:
    """The exception of a handler the driver called is the replay's end, named by its
    component, with the exception as the cause (no supervisor restarts it)."""
    path = tmp_path / "bad.py"
    path.write_text(SMA_FILE.replace(
        "        token = view.pair_token.get(pair, pair)\n",
        "        token = view.pair_token.get(pair, pair)\n"
        "        if n > 200:\n"
        "            raise LookupError('boom at ' + str(n))\n"))
    bt = Backtest(profile("sma_cross"), strategy_file=path, candle_interval_s=STEP, fast=False)
    with pytest.raises(ReplayAborted, match="strategy.*LookupError: boom at 201") as caught:
        bt.run_candles({"ETH_USDT": walk(600, seed=11)}, STEP)
    assert isinstance(caught.value.__cause__, LookupError)


def test_halting_on_two_pairs_is_the_same_pumped_on_tasks_and_run_to_run() -> None:
    """Red team: with two series, exits and the daily-loss breaker tripping, two task-driven
    runs differed from each other and from the pumped one (5,550 vs 5,549 signals): the
    approval expiry and the exit retries ran on wall-clock timers inside the replay. They
    run on the replay's clock at its steps now."""
    from decimal import Decimal

    prof = profile("momentum", stop_loss_pct=2, trailing_pct=2,
                   take_profit=[[3, 0.5], [5, 0.5]])
    prof = prof.model_copy(update={"limits": prof.limits.model_copy(
        update={"daily_loss_limit_quote": Decimal("0.01")})})
    series = {"ETH_USDT": walk(1200, seed=11), "BTC_USDT": walk(1200, seed=5)}
    runs = [record(Backtest(prof, candle_interval_s=STEP, pump=p).run_candles(series, STEP))
            for p in (True, False, False)]
    assert runs[0]["halted"].startswith("daily loss limit")
    assert runs[0] == runs[1] == runs[2]
