"""Red-team findings on ``claudedex backtest``: each was a traceback, a silent success or a
wrong result; now one line on stderr, exit 2, and no figures or report files.

The "before" of each is in its comment; the strategy files are what a careless (or
clever) operator writes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from claudedex.backtest import report as report_module
from claudedex.backtest.metrics import compute
from claudedex.backtest.replay import BacktestResult
from claudedex.backtest.report import REPORT_FILES, write_report
from claudedex.errors import UserInputError
from cli.backtest_checks import liquidity_wei, one_line
from tests.unit.backtest.test_candle_validation import rows, write_json
from tests.unit.core.cli_run import Outcome, claudedex

WEI = 10**18
HEAD = "from claudedex.strategy import Strategy\n\n\nclass S(Strategy):\n    name = 's'\n"


def backtest(data: Path, *args: str) -> Outcome:
    return claudedex("backtest", "--data", str(data), "--strategy", "momentum",
                     "--approve", "all", *args)


@pytest.fixture
def candles(tmp_path: Path) -> Path:
    return write_json(tmp_path / "ETH_USDT-5m.json", rows(200))


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "1e400", "abc", "1e-30"])
def test_liquidity_that_is_no_pool_depth_is_one_line(candles: Path, value: str) -> None:
    # before: -1 ran and reported no trades (exit 0); 0, 1e-30: ZeroDivisionError;
    # nan, inf, 1e400: a traceback converting the float to wei
    out = backtest(candles, f"--liquidity={value}")
    out.one_line(2, "--liquidity", value)
    assert out.stdout == ""


def test_liquidity_is_exact_wei() -> None:
    # before: int(1000.1 * 10**18) == 1000100000000000000000 + float error
    assert liquidity_wei("1000.1") == 1_000_100_000_000_000_000_000
    assert liquidity_wei(" 2.5 ") == 5 * WEI // 2


def test_prices_too_high_for_the_pool_depth_are_refused(tmp_path: Path) -> None:
    # before: a price of 1e22 on a 1000-quote pool left it int(1e21 / 1e22) == 0 tokens:
    # ZeroDivisionError in the tape
    big = [[r[0], *(v * 1e20 for v in r[1:5]), r[5]] for r in rows(50)]
    data = write_json(tmp_path / "BIG_USDT-5m.json", big)
    backtest(data).one_line(2, "--liquidity 1000", "BIG_USDT", "give at least")
    assert backtest(data, "--liquidity", "1e12").code == 0


def test_two_files_of_one_pair_are_refused_not_merged(tmp_path: Path) -> None:
    # before: BTC_USDT-5m-futures.json and BTC_USDT-5m.json were both pair BTC_USDT and
    # the second silently replaced the first (its candles never replayed)
    write_json(tmp_path / "BTC_USDT-5m.json", rows(100))
    write_json(tmp_path / "BTC_USDT-5m-futures.json", rows(200))
    backtest(tmp_path).one_line(2, "BTC_USDT-5m-futures.json", "BTC_USDT-5m.json",
                                "both pair BTC_USDT")


def test_a_history_line_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    # before: UnicodeDecodeError traceback from the streaming reader
    data = tmp_path / "h.jsonl"
    data.write_bytes(b'{"kind": "block", "ts": 1, "block": 1}\n\xff\xfe\n')
    backtest(data).one_line(2, "h.jsonl:2", "not UTF-8")


def test_a_swap_line_whose_pair_is_no_text_is_refused(tmp_path: Path) -> None:
    # before: str([1, 2]) == "[1, 2]" was taken as the pair's address
    line = {"kind": "swap", "ts": 1, "block": 1, "pair": [1, 2], "token": "0xab",
            "reserve_token": 10**21, "reserve_quote": 10**18}
    data = tmp_path / "h.jsonl"
    data.write_text(json.dumps(line) + "\n")
    backtest(data).one_line(2, "h.jsonl:1", "'pair' and 'token'")


def test_search_best_out_that_is_not_toml_is_refused(candles: Path) -> None:
    # before: --best-out ETH_USDT-5m.json replaced the candle data with a TOML snippet;
    # --seed -1 was a traceback from optuna after the data was split
    out = backtest(candles, "--search", "ema_slow=12:20", "--trials", "1", "--jobs", "1",
                   "--best-out", str(candles))
    out.one_line(2, "--best-out", ".toml")
    assert json.loads(candles.read_text())[0][1] == 100.0  # the data is still the data
    backtest(candles, "--search", "ema_slow=12:20", "--seed", "-1").one_line(2, "--seed -1")


def test_report_path_that_is_a_file_is_refused_before_the_replay(
        candles: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine")
    out = backtest(candles, "--report", str(target))
    out.one_line(2, "--report", "not a directory")
    assert out.stdout == "" and target.read_text() == "mine"  # no figures: nothing ran


def test_report_file_name_taken_by_a_directory_leaves_nothing_behind(
        candles: Path, tmp_path: Path) -> None:
    # before: equity.png and drawdown.png written, then IsADirectoryError on trades.csv
    target = tmp_path / "rep"
    (target / "trades.csv").mkdir(parents=True)
    out = backtest(candles, "--report", str(target))
    out.one_line(2, "--report", "trades.csv")
    assert sorted(p.name for p in target.iterdir()) == ["trades.csv"]


def test_a_report_that_fails_midway_is_not_left_half_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = BacktestResult(10 * WEI)
    result.equity = [(0.0, 10 * WEI), (86_400.0, 11 * WEI)]

    def full_disk(result: BacktestResult, out_dir: Path) -> None:  # the disk fills up
        (out_dir / "equity.png").write_bytes(b"\x89PNG")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_module, "_plots", full_disk)
    fresh, kept = tmp_path / "a" / "new", tmp_path / "old"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    for target in (fresh, kept):
        with pytest.raises(UserInputError, match="No space left"):
            write_report(result, compute(result), target)
    assert not (tmp_path / "a").exists()  # the parent this call made is gone too
    assert sorted(p.name for p in kept.iterdir()) == ["notes.txt"]


def test_a_report_into_an_existing_directory_keeps_other_files(tmp_path: Path) -> None:
    result = BacktestResult(10 * WEI)
    result.equity = [(0.0, 10 * WEI), (86_400.0, 11 * WEI)]
    target = tmp_path / "rep"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    write_report(result, compute(result), target)
    assert sorted(p.name for p in target.iterdir()) == sorted([*REPORT_FILES, "notes.txt"])
    assert (target / "notes.txt").read_text() == "mine"


def test_a_token_symbol_is_no_spreadsheet_formula(tmp_path: Path) -> None:
    # a symbol is whatever the token's contract returns; before, it went into
    # round_trips.csv as written, and "=HYPERLINK(...)" is a live formula in a spreadsheet
    from claudedex.backtest.simvenue import SimFill
    from claudedex.domain import Side

    result = BacktestResult(10 * WEI)
    result.equity = [(0.0, 10 * WEI), (86_400.0, 11 * WEI)]
    result.fills = [SimFill("o", "0xt", "0xp", Side.BUY, 1.0, 1, WEI, 100, 0, 0, 0, False),
                    SimFill("o2", "0xt", "0xp", Side.SELL, 2.0, 2, 100, 2 * WEI, 0, 0, 0,
                            False)]
    result.symbols = {"0xt": '=HYPERLINK("http://x","y")'}
    write_report(result, compute(result), tmp_path / "rep")
    with (tmp_path / "rep" / "round_trips.csv").open(newline="") as fh:
        _, trip = csv.reader(fh)
    assert trip[0] == """'=HYPERLINK("http://x","y")"""  # text, not a formula
    assert trip[5].startswith("-") or trip[5][0].isdigit()  # numbers are left as they are


def strategy_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mine.py"
    path.write_text(HEAD + body)
    return path


def run_file(candles: Path, path: Path) -> Outcome:
    return claudedex("backtest", "--data", str(candles), "--strategy", "s",
                     "--strategy-file", str(path), "--approve", "all", "--json")


def test_strategy_init_raising_is_one_line(candles: Path, tmp_path: Path) -> None:
    # before: RuntimeError traceback from inside the engine's start-up, exit 1
    path = strategy_file(tmp_path, "    def __init__(self, params=None):\n"
                                   "        raise RuntimeError('no\\nkeys')\n")
    out = run_file(candles, path)
    out.one_line(2, "S() raised RuntimeError: no keys")


def test_strategy_evaluate_raising_gives_no_figures(candles: Path, tmp_path: Path) -> None:
    # before: the supervisor restarted the strategy, the replay went on without it, and the
    # command printed a traceback then the figures of a run with no trades, exit 0
    path = strategy_file(tmp_path, "    def evaluate(self, pair, view, clock):\n"
                                   "        raise KeyError('boom')\n")
    out = run_file(candles, path)
    out.one_line(2, "strategy component failed", "KeyError: 'boom'")
    assert out.stdout == ""


def test_strategy_returning_garbage_gives_no_figures(candles: Path, tmp_path: Path) -> None:
    path = strategy_file(tmp_path, "    def evaluate(self, pair, view, clock):\n"
                                   "        return [42]\n")
    out = run_file(candles, path)
    out.one_line(2, "strategy component failed", "AttributeError")
    assert out.stdout == ""


def test_strategy_calling_sys_exit_is_one_line(candles: Path, tmp_path: Path) -> None:
    # before: exit 0 and nothing printed at all
    path = strategy_file(tmp_path, "    def evaluate(self, pair, view, clock):\n"
                                   "        raise SystemExit(0)\n")
    run_file(candles, path).one_line(2, "sys.exit(0)")


def test_strategy_raising_on_the_fast_path_is_one_line(candles: Path, tmp_path: Path) -> None:
    # before: held ticks go to the runner without the bus (fastpath.py), so the exception
    # escaped the replay as a traceback, exit 1
    path = strategy_file(tmp_path, (
        "    vectorised = True\n\n"
        "    def indicators(self, frame):\n"
        "        import numpy as np\n"
        "        return {'enter': np.ones(len(frame), dtype=bool),\n"
        "                'exit': np.zeros(len(frame), dtype=bool)}\n\n"
        "    def evaluate(self, pair, view, clock):\n"
        "        token = view.pair_token.get(pair, pair)\n"
        "        if view.portfolio.positions.get(token, 0) > 0:\n"
        "            raise RuntimeError('held')\n"
        "        return [self.signal(pair, token, 'buy', 'in')]\n"))
    out = run_file(candles, path)
    # the replay stops at the failure (ReplayAborted), wherever the strategy was called from
    out.one_line(2, "mine.py (line 16, in evaluate)", "RuntimeError: held")
    assert out.stdout == ""


def test_one_line_flattens_untrusted_text() -> None:
    assert one_line("a\nb\r\x1b[31mc\t d") == "a b [31mc d"
    assert len(one_line("x" * 1000)) == 300
