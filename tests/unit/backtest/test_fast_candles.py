"""The candle replay's inlined loop gives the very result of the plain per-step loop.

Why: ``Backtest.run_candles`` inlines ``_after_price`` and ``_record`` for speed
(benchmarks/backtest.py). The reference below is the loop as it was before, built from the
Backtest's own steps; any drift in order or arithmetic shows up as unequal results.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from claudedex.backtest.replay import WEI, Backtest, BacktestResult
from claudedex.market.candles import Candle
from tests.unit.backtest.helpers import profile


def reference_run_candles(
    bt: Backtest, series: dict[str, list[Candle]], interval_s: float, liquidity_quote: int
) -> BacktestResult:
    view = bt.view
    for pair in series:
        view.register_pair(pair, pair, pair)
    merged = sorted(
        ((c.ts, pair, c) for pair, cs in series.items() for c in cs), key=lambda x: (x[0], x[1])
    )
    block = 0
    for ts, pair, c in merged:
        block += 1
        if bt._pending and c.open > 0:
            bt.clock.advance_to(max(ts, bt.clock.now()), block)
            view.set_pool(pair, pair, int(liquidity_quote / c.open), liquidity_quote, block, ts)
            if bt._execute_due(pair, block):
                bt.portfolio.mark(view, bt.clock.now())
        bt.clock.advance_to(max(ts + interval_s, bt.clock.now()), block)
        view.add_candle(pair, c)
        if c.close > 0:
            view.set_pool(
                pair, pair, int(liquidity_quote / c.close), liquidity_quote, block, ts + interval_s
            )
            bt._after_price(pair, block)
        bt._record()
    return bt._finish()


def walk(seed: int, n: int, start: float, step: float, sigma: float) -> list[Candle]:
    rng = random.Random(seed)
    out, p = [], 100.0
    for i in range(n):
        q = p * (1 + rng.gauss(0, sigma))
        out.append(Candle(start + i * step, p, max(p, q), min(p, q), q, rng.random() * 10))
        p = q
    return out


def one_pair() -> dict[str, list[Candle]]:
    return {"ETH_USDT": walk(1, 3_000, 1.7e9, 60, 0.01)}


def three_pairs() -> dict[str, list[Candle]]:
    """Equal timestamps across pairs, one series out of order, zero and empty candles."""
    a = walk(2, 1_500, 1.7e9, 60, 0.02)
    b = walk(3, 1_500, 1.7e9, 60, 0.015)  # same timestamps as a: ties broken by pair
    c = walk(4, 1_000, 1.7e9 + 30, 60, 0.03)
    c[10] = Candle(c[10].ts, 0.0, 0.0, 0.0, 0.0, 0.0)
    c[11] = Candle(c[11].ts, 0.0, 1.0, 0.0, c[12].open, 1.0)
    random.Random(5).shuffle(b)
    return {"B/ETH": b, "A/ETH": a, "C/ETH": c}


CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("momentum", one_pair, {}),
    ("momentum", one_pair, {"stop_loss_pct": 2, "take_profit": [[2, 0.5], [4, 1]],
                            "trailing_pct": 1}),
    ("momentum", three_pairs, {"volume_mult": 1.1, "require_breakout": True}),
    ("momentum", three_pairs, {"fraction": "0.9"}),
    ("scalping", three_pairs, {}),
]


@pytest.mark.parametrize(("strategy", "make", "params"), CASES)
def test_fast_candle_loop_matches_the_plain_steps(
    strategy: str, make: Any, params: dict[str, Any]
) -> None:
    prof = profile(strategy, **params)
    fast = Backtest(prof, candle_interval_s=60).run_candles(make(), 60, 50 * WEI)
    ref = reference_run_candles(Backtest(prof, candle_interval_s=60), make(), 60, 50 * WEI)
    assert fast.fills, "the case should trade"
    assert fast == ref
