"""Backtest speed for the momentum strategy; prints JSON.

Replay: candles/s and swaps/s. Loading, with every check of the data (duplicates, order,
values, timeframe, gaps; a history's lines and segments): candle-file rows and history
lines per CPU second.
"""

from __future__ import annotations

import gc
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claudedex.backtest.data import load_candles, swap_events  # noqa: E402
from claudedex.backtest.replay import Backtest  # noqa: E402
from claudedex.backtest.sample import write_sample  # noqa: E402
from claudedex.market.candles import Candle  # noqa: E402
from tests.unit.backtest.helpers import profile  # noqa: E402


def candles(n: int) -> list[Candle]:
    rng = random.Random(1)
    out, p = [], 100.0
    for i in range(n):
        q = p * (1 + rng.gauss(0, 0.01))
        out.append(Candle(1.7e9 + i * 300, p, max(p, q), min(p, q), q, rng.random()))
        p = q
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    data = candles(n)
    bt = Backtest(
        profile(ema_fast=12, ema_slow=26, rsi_period=14, breakout_lookback=20),
        candle_interval_s=300,
    )
    t, cpu = time.perf_counter(), time.process_time()
    r = bt.run_candles({"ETH_USDT": data}, 300)
    candle_s = time.perf_counter() - t
    candle_cpu_s = time.process_time() - cpu  # steadier than wall time on a shared machine
    with tempfile.TemporaryDirectory() as d:
        candle_file = Path(d) / "ETH_USDT-5m.json"
        candle_file.write_text(json.dumps([[int(c.ts * 1000), c.open, c.high, c.low, c.close,
                                            c.volume] for c in data]))
        cpu = time.process_time()
        [loaded] = load_candles(candle_file)
        load_cpu_s = time.process_time() - cpu
        assert loaded.candles == data
        del loaded  # each measure on its own: no other run's objects for the GC to walk
        gc.collect()
        f = write_sample(Path(d) / "h.jsonl", swaps=n // 4)
        lines = sum(1 for line in f.read_text().splitlines() if line.strip())
        cpu = time.process_time()
        events = list(swap_events(f))
        parse_cpu_s = time.process_time() - cpu
        bt2 = Backtest(profile())
        t = time.perf_counter()
        r2 = bt2.run_events(iter(events))
        swap_s = time.perf_counter() - t
    print(
        json.dumps(
            {
                "candles": n,
                "candles_per_s": round(n / candle_s),
                "candles_per_cpu_s": round(n / candle_cpu_s),
                "candle_trades": len(r.fills),
                "candle_file_rows_per_cpu_s": round(n / load_cpu_s),
                "history_lines_per_cpu_s": round(lines / parse_cpu_s),
                "swaps": r2.steps,
                "swaps_per_s": round(r2.steps / swap_s),
                "swap_trades": len(r2.fills),
            }
        )
    )


if __name__ == "__main__":
    main()
