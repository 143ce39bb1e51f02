"""The lookahead check: a vectorised strategy's columns may use no later candle.

Each leaking strategy here is one an operator could write (a shift the wrong way, a
normalisation by the whole file); each must be refused with one line naming the column
and the first row that changed when the later candles were cut off, and the causal
strategies (the built-in momentum, an SMA cross) must pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from claudedex.backtest.fastpath import series_tables, strategy_columns
from claudedex.backtest.lookahead import check_lookahead, cut_points, find_leak
from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.errors import UserInputError
from claudedex.market.candles import candle_array
from claudedex.market.view import MarketView
from claudedex.strategy.base import Strategy, candle_frame, rows_frame
from claudedex.strategy.momentum import MomentumStrategy
from tests.unit.backtest.test_candle_validation import rows, write_json
from tests.unit.backtest.test_fastpath import SMA_FILE, walk
from tests.unit.core.cli_run import claudedex

STEP = 300.0


class Columns(Strategy):
    """A vectorised strategy whose columns are ``build(frame)``; it never signals."""

    name = "cols"
    vectorised = True
    build: Callable[[Any], Any] = staticmethod(lambda f: {})

    def indicators(self, frame: Any) -> Mapping[str, Any]:
        out: Mapping[str, Any] = self.build(frame)
        return out

    def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
        return []


def columns(build: Callable[[Any], Any]) -> Callable[[], Strategy]:
    cls = type("C", (Columns,), {"build": staticmethod(build)})
    return cls


SERIES = {"ETH_USDT": walk(400)}


def test_next_close_is_found_at_the_last_row_of_a_prefix() -> None:
    def peek(f: Any) -> Mapping[str, Any]:
        return {"enter": (f["close"].shift(-1) > f["close"]).to_numpy(),
                "next": f["close"].shift(-1).to_numpy()}

    leak = find_leak(columns(peek), SERIES, STEP)
    assert leak is not None
    # the first cut is just after the first enter; over that prefix its last row has no
    # next close (NaN, so enter is false), over the whole file it has one
    ups = np.flatnonzero(np.diff([c.close for c in SERIES["ETH_USDT"]]) > 0)
    first_enter = int(ups[ups >= 1][0])  # a prefix of one candle is too short to compare
    assert (leak.series, leak.row, leak.cut) == ("ETH_USDT", first_enter, first_enter + 1)
    assert leak.column == "enter" and (leak.full, leak.prefix) == (True, False)
    with pytest.raises(UserInputError) as err:
        check_lookahead(columns(peek), SERIES, STEP, user_code=True)
    line = str(err.value)
    assert "\n" not in line and "reads the future" in line
    assert f"row {first_enter + 1} " in line and "--no-lookahead-check" in line


def test_a_normalisation_by_the_whole_file_is_found() -> None:
    def scaled(f: Any) -> Mapping[str, Any]:
        norm = f["close"] / f["close"].max()
        return {"enter": (norm > 2).to_numpy(), "norm": norm.to_numpy()}

    rising = walk(400)
    rising = [c._replace(close=c.close + i, high=c.high + i) for i, c in enumerate(rising)]
    leak = find_leak(columns(scaled), {"ETH_USDT": rising}, STEP)
    assert leak is not None and leak.column == "norm" and leak.row == 0


def test_causal_strategies_pass() -> None:
    def sma(f: Any) -> Mapping[str, Any]:
        fast, slow = f["close"].rolling(5).mean(), f["close"].ewm(span=15).mean()
        return {"enter": (fast > slow).to_numpy(), "exit": (fast < slow).to_numpy(),
                "fast": fast.to_numpy()}

    assert find_leak(columns(sma), SERIES, STEP) is None
    params = {"ema_fast": 3, "ema_slow": 8, "rsi_period": 5, "breakout_lookback": 5}
    assert find_leak(lambda: MomentumStrategy(params), SERIES, STEP) is None
    check_lookahead(columns(sma), SERIES, STEP, user_code=True)  # no error


def test_a_strategy_that_is_not_vectorised_is_not_asked_for_columns() -> None:
    asked: list[int] = []

    class Plain(Strategy):
        name = "plain"

        def indicators(self, frame: Any) -> Mapping[str, Any]:
            asked.append(len(frame))
            return {}

        def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
            return []

    check_lookahead(Plain, SERIES, STEP, user_code=True)
    assert asked == []


@pytest.mark.parametrize(("build", "needle"), [
    (lambda f: {"x": f["close"].to_numpy()}, "no 'enter' column"),
    (lambda f: {"enter": np.ones(len(f) - 1, dtype=bool)}, "has 399 rows for 400 candles"),
    (lambda f: {"enter": f[["open", "close"]].to_numpy() > 0}, "shape (400, 2)"),
    (lambda f: {"enter": f["close"].astype(str).to_numpy()}, "booleans expected"),
    (lambda f: 5, "AttributeError"),
    (lambda f: 1 / 0, "ZeroDivisionError: division by zero"),
])
def test_columns_the_replay_cannot_read_are_one_line(
        build: Callable[[Any], Any], needle: str) -> None:
    with pytest.raises(UserInputError) as err:
        check_lookahead(columns(build), SERIES, STEP, user_code=True)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_built_in_strategy_fault_keeps_its_traceback() -> None:
    with pytest.raises(ZeroDivisionError):
        check_lookahead(columns(lambda f: 1 / 0), SERIES, STEP, user_code=False)


def test_cut_points_are_inside_the_series() -> None:
    assert cut_points(400) == [25, 50, 100]
    assert cut_points(3) == [] and cut_points(1) == []
    assert all(2 <= k < 40 for k in cut_points(40))


FRAMES: list[Any] = []


def _kept(f: Any) -> Mapping[str, Any]:
    FRAMES.append(f.copy())
    f["close"] = 0.0  # a strategy may change the frame it is given
    return {"enter": (f["open"] > 0).to_numpy(), "exit": np.zeros(len(f), dtype=np.int64)}


def _outcome(run: Callable[[], Mapping[str, Any]]) -> Any:
    try:
        cols = run()
    except Exception as exc:  # noqa: BLE001 - compared: the same exception, the same text
        return type(exc), str(exc)
    return [(k, v.dtype, repr(v.tolist())) for k, v in cols.items()]  # NaN as text


@pytest.mark.parametrize("build", [
    _kept,
    lambda f: {"enter": (f["close"].rolling(5).mean() > f["open"]).to_numpy(),
               "fast": f["close"].rolling(5).mean().to_numpy(), "n": list(range(len(f)))},
    lambda f: {"enter": f["close"].astype(str).to_numpy(), "exit": f["close"] > 9},
    lambda f: {"x": f["close"].to_numpy()},
    lambda f: {"enter": np.ones(len(f) - 1, dtype=bool)},
    lambda f: {"enter": f[["open", "close"]].to_numpy() > 0},
    lambda f: 5,
    lambda f: 1 / 0,
])
def test_prefix_columns_are_the_replays(build: Callable[[Any], Any]) -> None:
    """The lookahead's prefix columns (frames made from the candle array's rows, a copy
    each) are what the replay's series_tables gives for the same candles: columns,
    dtypes, errors, frame."""
    candles = SERIES["ETH_USDT"]
    rows = candle_array(candles)
    for k in (len(candles), 37):
        FRAMES.clear()
        want = _outcome(lambda k=k: series_tables(  # type: ignore[misc]
            columns(build)(), {"E": candles[:k]}, {"E": "E"}, STEP)["E"].columns)
        got = _outcome(lambda k=k: strategy_columns(  # type: ignore[misc]
            columns(build)(), rows_frame(rows[:k].copy(), STEP), "E"))
        assert got == want
        if FRAMES:
            theirs, ours = FRAMES
            assert ours.equals(theirs) and ours.attrs == theirs.attrs
            assert ours.equals(candle_frame(candles[:k], STEP))
    assert rows[0, 4] == candles[0].close  # a strategy's change stays in its own frame


LEAK_FILE = SMA_FILE.replace(
    'fast = frame["close"].rolling(self.fast).mean()',
    'fast = frame["close"].shift(-1).rolling(self.fast).mean()')


def test_the_command_refuses_a_leaking_file_unless_told_not_to_check(tmp_path: Path) -> None:
    data = write_json(tmp_path / "ETH_USDT-5m.json", rows(400))
    leaky = tmp_path / "leaky.py"
    leaky.write_text(LEAK_FILE)
    args = ("backtest", "--data", str(data), "--strategy", "sma_cross", "--strategy-file",
            str(leaky), "--json")
    refused = claudedex(*args)
    refused.one_line(2, "sma_cross", "reads the future", "column", "ETH_USDT")
    assert refused.stdout == ""
    ran = claudedex(*args, "--no-lookahead-check")
    assert ran.code == 0, ran.stderr
    assert '"steps": 400' in ran.stdout
    honest = tmp_path / "honest.py"
    honest.write_text(SMA_FILE)
    ok = claudedex("backtest", "--data", str(data), "--strategy", "sma_cross",
                   "--strategy-file", str(honest), "--json")
    assert ok.code == 0, ok.stderr
