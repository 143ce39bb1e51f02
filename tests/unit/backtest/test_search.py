"""`claudedex backtest --search`: trials table, best-parameters TOML, out-of-sample figures.

The search runs real backtests (the command's own path) in spawned worker processes on
a tiny candle file; its in-sample and out-of-sample figures for the winner are checked
against plain ``claudedex backtest`` runs on the two halves of the split, so the table
cannot report figures the backtest would not give. Bad flags are one line, exit 2.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from claudedex.backtest.search import (
    ParamRange,
    SearchResult,
    TrialRow,
    profile_snippet,
    result_json,
    run_search,
)
from tests.unit.backtest.search_runner import quadratic
from tests.unit.backtest.test_candle_validation import rows, write_json
from tests.unit.core.cli_run import claudedex

N = 3000  # about 10 days of 5-minute candles: daily ratios on both sides of the split
HOLDOUT_FROM = 2100  # int(3000 * (1 - 0.3)): the first out-of-sample row


def _plain(path: Path, params: dict[str, Any]) -> dict[str, Any]:
    args = [f"{k}={json.dumps(v)}" for k, v in params.items()]
    out = claudedex("backtest", "--data", str(path), "--strategy", "momentum", "--approve",
                    "all", "--json", *(a for p in args for a in ("--param", p)))
    assert out.code == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _num(text: str) -> str:
    return f"{float(text):.6g}" if text not in ("-", "None") else text


def test_search_prints_trials_writes_the_profile_and_reports_out_of_sample(
        tmp_path: Path) -> None:
    data = rows(N)
    f = write_json(tmp_path / "ETH_USDT-5m.json", data)
    best_out = tmp_path / "best.toml"
    out = claudedex("backtest", "--data", str(f), "--strategy", "momentum", "--approve", "all",
                    "--search", "ema_fast=3:10", "--search", "ema_slow=12:40",
                    "--trials", "3", "--jobs", "2", "--seed", "1",
                    "--best-out", str(best_out))
    assert out.code == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["trial", "ema_fast", "ema_slow", "sharpe"]
    table = [ln.split() for ln in lines[1:4]]
    assert [t[0] for t in table] == ["0", "1", "2"]
    for t in table:
        assert 3 <= int(t[1]) <= 10 and 12 <= int(t[2]) <= 40
    assert lines[-1] == f"best parameters: {best_out}"
    assert "in-sample: 2100 candles" in out.stdout and "out-of-sample: 900 candles" in out.stdout

    snippet = tomllib.loads(best_out.read_text())
    assert snippet["strategy"]["name"] == "momentum"
    best = snippet["strategy"]["params"]
    assert set(best) == {"ema_fast", "ema_slow"}
    assert all(isinstance(v, int) for v in best.values())
    best_line = next(ln for ln in lines if ln.startswith("best: trial"))
    trial_no = int(best_line.split()[2])
    assert table[trial_no][1:3] == [str(best["ema_fast"]), str(best["ema_slow"])]
    sharpes = [float(t[3]) for t in table]
    assert float(table[trial_no][3]) == max(sharpes)

    # the winner's two columns are what plain backtests of the two halves report
    figures = {ln.split()[0]: ln.split()[1:] for ln in lines
               if ln.split()[:1] and ln.split()[0] in ("sharpe", "trades", "total_return")}
    ins = _plain(write_json(tmp_path / "in" / "ETH_USDT-5m.json", data[:HOLDOUT_FROM]), best)
    oos = _plain(write_json(tmp_path / "out" / "ETH_USDT-5m.json", data[HOLDOUT_FROM:]), best)
    for key in ("sharpe", "trades", "total_return"):
        assert [_num(x) for x in figures[key]] == [_num(str(ins[key])), _num(str(oos[key]))]
    assert oos["daily_returns"] >= 2  # the out-of-sample Sharpe is a defined figure


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--search", "foo"], "expected NAME=LOW:HIGH"),
        (["--search", "ema_fast=9:3"], "above HIGH"),
        (["--search", "ema_fast=a:3"], "must be numbers"),
        (["--search", "ema_fastest=1:3"], "unknown parameter 'ema_fastest'"),
        (["--search", "ema_fast=1:3", "--trials", "0"], "--trials 0"),
        (["--search", "ema_fast=1:3", "--objective", "luck"], "--objective 'luck'"),
        (["--search", "ema_fast=1:3", "--param", "ema_fast=2"], "give one or the other"),
        (["--search", "ema_fast=1:3", "--holdout", "1.5"], "--holdout 1.5"),
        (["--trials", "3"], "--trials needs --search"),
    ],
)
def test_bad_search_flags_are_one_line_exit_2(tmp_path: Path, flags: list[str],
                                              needle: str) -> None:
    f = write_json(tmp_path / "ETH_USDT-5m.json", rows(400))
    claudedex("backtest", "--data", str(f), "--strategy", "momentum", *flags).one_line(
        2, needle)


def test_same_seed_same_trials_whatever_the_finishing_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # spawned workers unpickle `quadratic` by importing its module from the repo root
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[3]))
    ranges = [ParamRange("x", 0, 9, True)]
    a = run_search(ranges, 4, "sharpe", quadratic, tmp_path, tmp_path, jobs=2, seed=5)
    b = run_search(ranges, 4, "sharpe", quadratic, tmp_path, tmp_path, jobs=2, seed=5)
    assert [r.params for r in a.trials] == [r.params for r in b.trials]
    assert a.best is not None and b.best is not None
    assert a.best.value == max(r.value for r in a.trials if r.value is not None)
    assert a.out_of_sample == {"sharpe": a.best.value, "trades": a.best.params["x"]}


def test_json_and_snippet_carry_both_columns() -> None:
    rows_ = [TrialRow(0, {"x": 2}, 1.5, {"sharpe": 1.5, "trades": 4}),
             TrialRow(1, {"x": 7}, None, {}, "strategy m: bad x")]
    result = SearchResult("sharpe", rows_, rows_[0], {"sharpe": -0.5, "trades": 3})
    out = result_json(result)
    assert out["best"]["in_sample"]["sharpe"] == 1.5
    assert out["best"]["out_of_sample"] == {"sharpe": -0.5, "trades": 3, "total_return": None,
                                            "max_drawdown": None}
    assert out["trials"][1]["error"] == "strategy m: bad x"
    text = profile_snippet(result, "m", ["data: a\nb"])
    assert "# data: a b\n" in text  # a note never breaks out of its comment
    assert tomllib.loads(text)["strategy"] == {"name": "m", "params": {"x": 2}}
