"""ClaudeDex's backtest beside Freqtrade's and backtesting.py's, on one rule and one series.

Run by hand (never in tests or CI: it installs two other projects from PyPI):

    .venv/bin/python benchmarks/backtest_vs_peers.py [--candles 200000] [--runs 5]

Why a side-by-side run: a speed figure alone says little; the same rule on the same data
in the tools operators compare us with does. Pinned Freqtrade and backtesting.py are
installed once into their own virtualenvs under ``~/.cache/claudedex-bench`` (or
``$CLAUDEDEX_BENCH_CACHE``). The rule: SMA(20) crossing SMA(50), long only, all-in, no
fees, each fill at the next candle's open; the data: deterministic (seeded) 5-minute
candles. Each tool runs once to export its trades, which must agree on count and on every
entry and exit time (trades still open at the end are left out: the tools differ only in
whether they force-close them); then each runs ``--runs`` more times, the tools alternating,
timed as whole processes (interpreter start, imports, data load, backtest). The JSON on
stdout has every time, the medians and the ratios ClaudeDex / peer.

Freqtrade's backtest asks the exchange for its market list at start; this machine may be
offline, so its driver answers that one call with a fixed BTC/USDT spot market (no fees:
``--fee 0``). Nothing else of Freqtrade is changed. ClaudeDex runs ``claudedex backtest``
with a strategy file and a profile file, the operator's normal path.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("CLAUDEDEX_BENCH_CACHE", Path.home() / ".cache/claudedex-bench"))
PINS = {"freqtrade": "freqtrade==2026.9", "backtesting": "backtesting==0.6.6"}
FAST, SLOW = 20, 50
T0 = 1_577_836_800  # 2020-01-01 00:00 UTC
STEP = 300

CLAUDEDEX_STRATEGY = f'''
"""SMA({FAST}) crossing SMA({SLOW}): buy when flat, sell the whole position when held.

Vectorised: the averages and the crossings are computed once over the candle frame (as
Freqtrade's populate_* do); evaluate reads them at the last closed candle, once per candle.
"""
from claudedex.strategy import Strategy


class SmaCross(Strategy):
    name = "sma_cross"
    defaults = {{"fast": {FAST}, "slow": {SLOW}}}
    startup_candle_count = {SLOW}
    vectorised = True

    def __init__(self, params=None):
        super().__init__(params)
        self.fast, self.slow = int(self.params["fast"]), int(self.params["slow"])
        self.seen = {{}}  # pair -> candles closed when last evaluated

    def indicators(self, frame):
        fast = frame["close"].rolling(self.fast).mean()
        slow = frame["close"].rolling(self.slow).mean()
        up = (fast.shift(1) < slow.shift(1)) & (fast > slow)
        down = (fast.shift(1) > slow.shift(1)) & (fast < slow)
        return {{"enter": up.to_numpy(), "exit": down.to_numpy()}}

    def evaluate(self, pair, view, clock):
        n = view.candle_count(pair)
        if n == self.seen.get(pair):
            return []
        self.seen[pair] = n
        token = view.pair_token.get(pair, pair)
        held = view.portfolio.positions.get(token, 0) > 0
        if not held and self.indicator(view, pair, "enter"):
            return [self.signal(pair, token, "buy", "sma cross up")]
        if held and self.indicator(view, pair, "exit"):
            return [self.signal(pair, token, "sell", "sma cross down")]
        return []
'''

# all-in (fraction 1 of equity), no fees, no exits but the rule's, limits out of the way
CLAUDEDEX_PROFILE = """
name = "bench"
mode = "devnet"
[chain]
chain_id = 31337
name = "devnet"
[[venues]]
name = "uniswap"
fee_bps = 0
[limits]
max_trade_quote = "1000000000"
daily_cap_quote = "1000000000000"
max_open_positions = 1
max_token_exposure_pct = "100"
max_slippage_bps = 5000
daily_loss_limit_quote = "1000000000"
max_drawdown_pct = "100"
[approvals]
auto_approve_below_quote = "1000000000000"
auto_approve_verdicts = ["safe", "risky"]
[strategy]
name = "sma_cross"
[strategy.params]
equity_quote = "10000"
sizing = "fixed"
fraction = "1"
max_risk = "1"
cooldown_s = 0
"""

FREQTRADE_STRATEGY = f'''
from pandas import DataFrame
from freqtrade.strategy import IStrategy


class SmaCross(IStrategy):
    INTERFACE_VERSION = 3
    timeframe = "5m"
    minimal_roi = {{"0": 1000.0}}
    stoploss = -0.99
    startup_candle_count = 0
    process_only_new_candles = True
    use_exit_signal = True

    def populate_indicators(self, df: DataFrame, metadata: dict) -> DataFrame:
        df["fast"] = df["close"].rolling({FAST}).mean()
        df["slow"] = df["close"].rolling({SLOW}).mean()
        return df

    def populate_entry_trend(self, df: DataFrame, metadata: dict) -> DataFrame:
        up = (df["fast"].shift(1) < df["slow"].shift(1)) & (df["fast"] > df["slow"])
        df.loc[up, "enter_long"] = 1
        return df

    def populate_exit_trend(self, df: DataFrame, metadata: dict) -> DataFrame:
        down = (df["fast"].shift(1) > df["slow"].shift(1)) & (df["fast"] < df["slow"])
        df.loc[down, "exit_long"] = 1
        return df
'''

# Freqtrade's own CLI, with the exchange's market list answered offline
FREQTRADE_DRIVER = '''
import json, sys
from freqtrade.exchange import exchange as ex
from freqtrade.util import dt_ts

MARKET = {"BTC/USDT": {
    "id": "BTCUSDT", "symbol": "BTC/USDT", "base": "BTC", "quote": "USDT", "baseId": "BTC",
    "quoteId": "USDT", "active": True, "type": "spot", "spot": True, "margin": False,
    "swap": False, "future": False, "option": False, "contract": False, "linear": None,
    "inverse": None, "contractSize": None, "taker": 0.0, "maker": 0.0,
    "precision": {"amount": 1e-8, "price": 1e-8},
    "limits": {"amount": {"min": None, "max": None}, "cost": {"min": None, "max": None},
               "price": {"min": None, "max": None}, "leverage": {"min": None, "max": None}},
    "info": {}}}


def reload_markets(self, force=False, *, load_leverage_tiers=True):
    self._markets = MARKET
    self._api.markets = MARKET
    self._last_markets_refresh = dt_ts()


ex.Exchange.reload_markets = reload_markets
from freqtrade.main import main

out = sys.argv.pop(1)  # "-": timing run; else a JSON file for the closed trades
try:
    main(sys.argv[1:])
except SystemExit as e:
    if e.code:
        raise
if out != "-":
    from freqtrade.data.btanalysis import load_backtest_data
    t = load_backtest_data(sys.argv[sys.argv.index("--backtest-directory") + 1])
    t = t[t["exit_reason"] != "force_exit"]
    rows = [[int(a.timestamp()), int(b.timestamp())]
            for a, b in zip(t["open_date"], t["close_date"])]
    json.dump(rows, open(out, "w"))
'''

BACKTESTING_SCRIPT = f'''
import json, sys
import pandas as pd
from backtesting import Backtest, Strategy


def sma(values, n):
    return pd.Series(values).rolling(n).mean().to_numpy()


class SmaCross(Strategy):
    def init(self):
        self.fast = self.I(sma, self.data.Close, {FAST})
        self.slow = self.I(sma, self.data.Close, {SLOW})

    def next(self):
        f, s = self.fast, self.slow
        if not self.position and f[-2] < s[-2] and f[-1] > s[-1]:
            self.buy()
        elif self.position and f[-2] > s[-2] and f[-1] < s[-1]:
            self.position.close()


df = pd.read_csv(sys.argv[1], index_col=0, parse_dates=True)
stats = Backtest(df, SmaCross, cash=10**12, commission=0.0).run()
if sys.argv[2] != "-":
    t = stats._trades
    rows = [[int(a.timestamp()), int(b.timestamp())] for a, b in zip(t.EntryTime, t.ExitTime)]
    json.dump(rows, open(sys.argv[2], "w"))
print(stats["# Trades"])
'''


def venv(name: str) -> Path:
    """The pinned tool's virtualenv python, created and filled on first use."""
    spec = PINS[name]
    home = CACHE / spec.replace("==", "-")
    py = home / "bin" / "python"
    marker = home / ".installed"
    if not marker.exists():
        sys.stderr.write(f"installing {spec} into {home} (once; minutes for freqtrade)\n")
        subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", spec], check=True)
        marker.write_text(spec + "\n")
    return py


def candles(n: int, seed: int) -> pd.DataFrame:
    """A seeded geometric random walk of 5-minute OHLCV candles (UTC dates)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.002, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    wick = np.abs(rng.normal(0.0, 0.001, (2, n)))
    return pd.DataFrame({
        "date": pd.to_datetime(T0 + STEP * np.arange(n), unit="s", utc=True),
        "open": open_,
        "high": np.maximum(open_, close) * (1 + wick[0]),
        "low": np.minimum(open_, close) * (1 - wick[1]),
        "close": close,
        "volume": rng.uniform(1.0, 100.0, n),
    })


def commands(work: Path) -> dict[str, Any]:
    """tool -> function(trades file or '-') -> argv."""
    ft_py, bt_py = venv("freqtrade"), venv("backtesting")
    ft_user = work / "ft"
    (ft_user / "strategies").mkdir(parents=True, exist_ok=True)
    (ft_user / "strategies" / "sma_cross.py").write_text(FREQTRADE_STRATEGY)
    (work / "ft_driver.py").write_text(FREQTRADE_DRIVER)
    (work / "ft_config.json").write_text(json.dumps({
        "max_open_trades": 1, "stake_currency": "USDT", "stake_amount": "unlimited",
        "tradable_balance_ratio": 1.0, "dry_run": True, "dry_run_wallet": 10000,
        "timeframe": "5m", "fee": 0.0, "trading_mode": "spot", "dataformat_ohlcv": "feather",
        "exchange": {"name": "binance", "pair_whitelist": ["BTC/USDT"], "key": "",
                     "secret": ""},
        "pairlists": [{"method": "StaticPairList"}],
        "entry_pricing": {"price_side": "same"}, "exit_pricing": {"price_side": "same"},
        "user_data_dir": str(ft_user), "internals": {},
    }))
    (work / "bt.py").write_text(BACKTESTING_SCRIPT)
    (work / "sma_cross.py").write_text(CLAUDEDEX_STRATEGY)
    (work / "bench.toml").write_text(CLAUDEDEX_PROFILE)
    results = work / "ft_results"
    results.mkdir(exist_ok=True)

    def ft(out: str) -> list[str]:
        return [str(ft_py), str(work / "ft_driver.py"), out, "backtesting", "-c",
                str(work / "ft_config.json"), "--userdir", str(ft_user), "--strategy",
                "SmaCross", "--datadir", str(work / "data"), "--timeframe", "5m",
                "--fee", "0", "--export", "none" if out == "-" else "trades",
                "--backtest-directory", str(results), "--cache", "none"]

    def bt(out: str) -> list[str]:
        return [str(bt_py), str(work / "bt.py"), str(work / "candles.csv"), out]

    def cd(out: str) -> list[str]:
        argv = [sys.executable, "-m", "cli.main", "backtest", "--data",
                str(work / "data" / "BTC_USDT-5m.feather"), "--strategy", "sma_cross",
                "--strategy-file", str(work / "sma_cross.py"), "--profile",
                str(work / "bench.toml"), "--approve", "all", "--liquidity", "1e12", "--json"]
        return argv if out == "-" else [*argv, "--report", out]

    return {"claudedex": cd, "freqtrade": ft, "backtesting.py": bt}


def claudedex_trades(report: Path) -> list[list[int]]:
    """Closed round trips (entry, exit) from the report's fills (trades.csv)."""
    fills = pd.read_csv(report / "trades.csv")
    fills = fills[~fills["reverted"].astype(str).str.lower().eq("true")]
    rows, entry = [], None
    for ts, side in zip(fills["ts"], fills["side"], strict=True):
        if side == "buy" and entry is None:
            entry = int(ts)
        elif side == "sell" and entry is not None:
            rows.append([entry, int(ts)])
            entry = None
    return rows


def run(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and what it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return took, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candles", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    if args.runs < 5:
        raise SystemExit("--runs: at least 5 (the figure is a median)")
    with tempfile.TemporaryDirectory(prefix="claudedex-peers-") as tmp:
        work = Path(tmp)
        df = candles(args.candles, args.seed)
        (work / "data").mkdir()
        df.to_feather(work / "data" / "BTC_USDT-5m.feather")
        df.rename(columns=str.capitalize).set_index("Date").to_csv(work / "candles.csv")
        tools = commands(work)
        trades: dict[str, list[list[int]]] = {}
        for name, argv in tools.items():
            out = work / f"{name}.trades"
            run(argv(str(out)))  # not timed: the export run
            trades[name] = (claudedex_trades(out) if name == "claudedex"
                            else json.loads(out.read_text()))
        ref = trades["freqtrade"]
        same = {name: t == ref for name, t in trades.items()}
        first_diff = {name: next(([i, a, b] for i, (a, b) in enumerate(zip(t, ref, strict=False))
                                  if a != b), None) for name, t in trades.items()}
        times: dict[str, list[float]] = {name: [] for name in tools}
        cpus: dict[str, list[float]] = {name: [] for name in tools}
        order = list(tools)
        for r in range(args.runs):  # alternate: each round starts with the next tool
            for name in order[r % len(order):] + order[:r % len(order)]:
                wall, cpu = run(tools[name]("-"))
                times[name].append(round(wall, 3))
                cpus[name].append(round(cpu, 3))
        med = {name: statistics.median(t) for name, t in times.items()}
        med_cpu = {name: statistics.median(t) for name, t in cpus.items()}
    print(json.dumps({
        "candles": args.candles, "seed": args.seed, "rule": f"SMA({FAST}/{SLOW}) cross, long"
        " only, all-in, no fees, fill at next open", "pins": PINS,
        "trades": {name: len(t) for name, t in trades.items()},
        "same_trades": all(same.values()), "first_difference_vs_freqtrade": first_diff,
        "seconds": times, "median_s": med,
        "claudedex_over_freqtrade": round(med["claudedex"] / med["freqtrade"], 3),
        "claudedex_over_backtesting_py": round(med["claudedex"] / med["backtesting.py"], 3),
        # CPU time: steadier than wall time when other work shares the machine
        "cpu_seconds": cpus, "median_cpu_s": med_cpu,
        "cpu_claudedex_over_freqtrade": round(med_cpu["claudedex"] / med_cpu["freqtrade"], 3),
        "cpu_claudedex_over_backtesting_py": round(
            med_cpu["claudedex"] / med_cpu["backtesting.py"], 3),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }, indent=1))


if __name__ == "__main__":
    main()
