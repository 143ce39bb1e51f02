"""The report: ratios from daily returns, buy and hold, the trade table, plots, counts."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from claudedex.backtest.metrics import DAY_S, compute, daily_returns, trades
from claudedex.backtest.replay import BacktestResult
from claudedex.backtest.report import write_report
from claudedex.backtest.simvenue import SimFill
from claudedex.domain import Side

ROOT = Path(__file__).resolve().parents[3]
WEI = 10**18


def curve() -> BacktestResult:
    """Five days, marks every six hours; the last mark of each day is what counts."""
    r = BacktestResult(100 * WEI)
    closes = [100, 110, 99, 105, 120]
    for day, close in enumerate(closes):
        for k in range(4):
            value = close * WEI if k == 3 else (close - 5) * WEI
            r.equity.append((day * DAY_S + k * 6 * 3600.0, value))
            r.exposed.append(k % 2 == 0)
    r.prices = {"0xpair": [(0.0, 2.0), (4 * DAY_S + 18 * 3600.0, 3.0)]}
    return r


def test_sharpe_sortino_calmar_come_from_daily_returns() -> None:
    r = curve()
    rets = daily_returns(r.equity, r.starting_cash)
    want = [0.0, 0.1, 99 / 110 - 1, 105 / 99 - 1, 120 / 105 - 1]
    assert rets == pytest.approx(want)
    m = compute(r)
    mean, sd = statistics.fmean(want), statistics.stdev(want)
    down = math.sqrt(sum(min(x, 0) ** 2 for x in want) / len(want))
    assert m["sharpe"] == pytest.approx(mean / sd * math.sqrt(365), abs=1e-5)
    assert m["sortino"] == pytest.approx(mean / down * math.sqrt(365), abs=1e-5)
    assert m["calmar"] == pytest.approx(m["cagr"] / m["max_drawdown"], rel=1e-5)
    assert m["daily_returns"] == 5 and "sqrt(365)" in m["ratio_convention"]
    assert m["buy_and_hold_return"] == pytest.approx(0.5)
    assert m["excess_return"] == pytest.approx(0.2 - 0.5)


def test_under_two_days_the_ratios_are_not_defined() -> None:
    r = BacktestResult(100)
    r.equity = [(0.0, 100), (60.0, 120), (120.0, 90), (180.0, 130)]
    m = compute(r)
    assert (m["sharpe"], m["sortino"], m["calmar"]) == (None, None, None)


def fill(side: Side, ts: float, amount_in: int, amount_out: int, gas: int = 0) -> SimFill:
    return SimFill("o", "0xt", "0xp", side, ts, 1, amount_in, amount_out, 0, gas, 0, False)


def test_round_trips_at_average_cost_with_gas() -> None:
    r = BacktestResult(10 * WEI)
    r.fills = [fill(Side.BUY, 10.0, 2 * WEI, 100, gas=5), fill(Side.SELL, 20.0, 50, 3 * WEI, 7),
               fill(Side.SELL, 30.0, 50, WEI, 7)]
    r.symbols = {"0xt": "TKN"}
    first, second = trades(r)
    assert (first.symbol, first.entry_ts, first.exit_ts) == ("TKN", 10.0, 20.0)
    assert first.cost_quote == WEI + 2 + 7 and first.pnl_quote == 2 * WEI - 9
    assert second.pnl_quote == -10  # the rest of the cost (1 quote, 3 gas) and its own gas


def test_report_writes_plots_table_and_counts(tmp_path: Path) -> None:
    r = curve()
    r.fills = [fill(Side.BUY, 100.0, WEI, 10), fill(Side.SELL, 2 * DAY_S, 10, 2 * WEI)]
    r.approvals.update({"approved by auto rule": 2})
    r.repairs = {"repeated candles dropped": 3}
    page = write_report(r, compute(r), tmp_path / "rep").read_text()
    for name in ("equity.png", "drawdown.png"):
        assert (tmp_path / "rep" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "approved by auto rule" in page and "repeated candles dropped" in page
    assert "Round trips (1)" in page
    assert (tmp_path / "rep" / "round_trips.csv").read_text().count("\n") == 2


def test_repairs_are_counted_in_the_command_report(tmp_path: Path) -> None:
    rows = [[1_700_000_000_000 + i * 300_000, 100.0, 101.0, 99.0, 100.5, 1.0]
            for i in range(120)]
    rows[50:50] = [rows[49]] * 2  # one candle three times
    (tmp_path / "ETH_USDT-5m.json").write_text(json.dumps(rows))
    out = subprocess.run(
        [sys.executable, "-m", "cli.main", "backtest", "--data", str(tmp_path),
         "--strategy", "momentum", "--on-duplicates", "drop", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["repairs"] == {"repeated candles dropped": 2}
    assert report["steps"] == 120
