"""Backtest: determinism, no lookahead, AMM-exact fills, data loading, metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

from claudedex.amm import get_amount_out
from claudedex.backtest.data import load_candles, swap_events
from claudedex.backtest.metrics import compute
from claudedex.backtest.replay import Backtest
from claudedex.backtest.sample import write_sample
from claudedex.clock import Clock, ManualClock
from claudedex.domain import Side, Signal
from claudedex.errors import UserInputError
from claudedex.market.candles import Candle
from claudedex.market.view import LookaheadError, MarketView
from claudedex.strategy import Strategy
from claudedex.strategy.registry import BUILTIN

from .helpers import profile


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return write_sample(tmp_path / "h.jsonl", swaps=1500)


def test_same_inputs_same_report(history: Path) -> None:
    a = compute(Backtest(profile()).run_events(swap_events(history)))
    b = compute(Backtest(profile()).run_events(swap_events(history)))
    assert a == b
    assert a["trades"] > 0


def test_fills_are_amm_exact_against_replayed_reserves(history: Path) -> None:
    bt = Backtest(profile())
    result = bt.run_events(swap_events(history))
    rows = [json.loads(line) for line in history.read_text().splitlines()]
    by_block = {r["block"]: r for r in rows if r["kind"] == "swap"}
    checked = 0
    for f in result.fills:
        row = by_block[f.block]
        if f.reverted or row["pair"] != f.pair:
            continue
        if f.side is Side.BUY:
            want = get_amount_out(f.amount_in, row["reserve_quote"], row["reserve_token"], 30)
        else:
            want = get_amount_out(f.amount_in, row["reserve_token"], row["reserve_quote"], 30)
        assert f.amount_out == want
        assert f.amount_out >= f.min_out
        assert f.block >= 1  # filled at least latency blocks after the proposal
        checked += 1
    assert checked > 0


class Peeker(Strategy):
    """Tries to see the future: records the newest data it can find at every call."""

    name: ClassVar[str] = "peeker"
    seen: ClassVar[list[tuple[float, float, float]]] = []

    def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
        candles = view.candles(pair)
        newest_candle_end = candles[-1].ts + view.candle_interval_s if candles else 0.0
        pool = view.pool(pair)
        Peeker.seen.append((clock.now(), newest_candle_end, pool.ts if pool else 0.0))
        return []


def test_a_peeking_strategy_cannot_see_the_future(history: Path) -> None:
    BUILTIN["peeker"] = Peeker
    try:
        Peeker.seen.clear()
        Backtest(profile("peeker")).run_events(swap_events(history))
    finally:
        del BUILTIN["peeker"]
    assert len(Peeker.seen) > 1000
    for now, candle_end, pool_ts in Peeker.seen:
        assert candle_end <= now
        assert pool_ts <= now


def test_view_refuses_data_from_after_the_clock() -> None:
    clock = ManualClock(start=100.0)
    view = MarketView(clock, 60)
    with pytest.raises(LookaheadError):
        view.update_reserves("p", 10, 10, 1, 101.0)
    with pytest.raises(LookaheadError):
        view.add_candle("p", Candle(60.0, 1, 1, 1, 1, 1))  # closes at 120 > 100


def test_candle_backtest_and_loaders(tmp_path: Path) -> None:
    rows = []
    price = 100.0
    for i in range(400):
        nxt = price * (1.01 if (i // 40) % 2 == 0 else 0.99)
        rows.append(
            [1_700_000_000_000 + i * 300_000, price, max(price, nxt), min(price, nxt), nxt, 5.0]
        )
        price = nxt
    (tmp_path / "ETH_USDT-5m.json").write_text(json.dumps(rows))
    series = load_candles(tmp_path)
    assert series[0].pair == "ETH_USDT" and series[0].timeframe_s == 300
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    lines = ["date,open,high,low,close,volume"] + [
        f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]}" for r in rows
    ]
    (csv_dir / "ETH_USDT-5m.csv").write_text("\n".join(lines) + "\n")
    assert load_candles(csv_dir)[0].candles == series[0].candles
    bt = Backtest(profile(), candle_interval_s=300)
    result = bt.run_candles({"ETH_USDT": series[0].candles}, 300)
    m = compute(result)
    assert m["trades"] >= 2 and m["steps"] == 400
    assert m["total_return"] > 0  # long the up-waves, out in the down-waves


def test_bad_inputs_are_user_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind":"swap","ts":1,"pair":"p","token":"t","block":1,"reserve_token":1.5}\n')
    with pytest.raises(UserInputError, match="bad.jsonl:1"):
        list(swap_events(bad))
    with pytest.raises(UserInputError):
        load_candles(tmp_path / "nothing-here.txt")


def test_metrics_on_a_known_curve() -> None:
    from claudedex.backtest.replay import BacktestResult

    r = BacktestResult(100)
    r.equity = [(0.0, 100), (60.0, 120), (120.0, 90), (180.0, 130)]
    r.exposed = [False, True, True, False]
    m = compute(r)
    assert m["total_return"] == pytest.approx(0.3)
    assert m["max_drawdown"] == pytest.approx(0.25)
    assert m["max_drawdown_duration_s"] == pytest.approx(120.0)
    assert m["exposure"] == pytest.approx(0.5)
