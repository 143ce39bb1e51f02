"""A backtest's trades do not depend on where its data starts, once every run is warm.

The field report: the same market with the file starting 140 candles later gave a different
first round trip. Here the same candles are cut at several points and replayed; from the
first candle at which every run is warm and flat, their trades are identical.
"""

from __future__ import annotations

from typing import Any

import pytest

from claudedex.backtest.candle_feed import OFFSETS
from claudedex.backtest.replay import Backtest, BacktestResult
from claudedex.market.candles import Candle
from claudedex.strategy import build_strategy
from tests.unit.backtest.helpers import profile
from tests.unit.strategy.test_warmup import CUTS, STEP, market

LAST_TICK = OFFSETS[-1] * STEP


def trades(result: BacktestResult, after: float) -> list[tuple[Any, ...]]:
    return [(f.ts, f.side.value, f.amount_in, f.amount_out, f.reverted)
            for f in result.fills if f.ts > after]


def replay(name: str, params: dict[str, Any], candles: list[Candle]) -> BacktestResult:
    # the per-trade cap binds (fraction 0.5 of equity is above it): sizes equal across runs
    prof = profile(name, fraction="0.5", **params)
    return Backtest(prof, candle_interval_s=STEP).run_candles({"ETH_USDT": candles}, STEP)


CASES: list[tuple[str, dict[str, Any]]] = [
    ("momentum", {}),
    ("momentum", {"stop_loss_pct": 3, "trailing_pct": 2}),
    ("scalping", {"ema_fast": 5, "ema_slow": 20, "entry_bps": 50, "exit_bps": 50}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_trades_after_everyones_warmup_are_identical(name: str, params: dict[str, Any]) -> None:
    data = market()
    if name == "momentum" and not {"ema_fast", "ema_slow"} & set(params):
        params = {"ema_fast": 12, "ema_slow": 26, "rsi_period": 14, "breakout_lookback": 20,
                  **params}
    warm = build_strategy(name, params).startup_candle_count
    runs = {cut: replay(name, params, data[cut:]) for cut in CUTS}
    common = data[max(CUTS) + warm].ts  # the first candle at which every run may signal
    for cut, result in runs.items():
        first = min((s_ts for s_ts, _ in result.equity), default=0.0)
        assert first == data[cut].ts + LAST_TICK  # a step is a candle's last tick
        early = [f for f in result.fills if f.ts < data[cut + warm].ts + STEP]
        assert early == [], f"cut {cut}: a trade during the warm-up"
    # from the first candle at which no run holds anything (a run that started earlier may
    # still be in a position it entered before the others were warm), all runs agree
    flat = {cut: {ts for (ts, _), held in zip(r.equity, r.exposed, strict=True) if not held}
            for cut, r in runs.items()}
    closes = [c.ts + LAST_TICK for c in data if c.ts >= common]
    sync = next(t for prev, t in zip(closes, closes[1:], strict=False)
                if all(prev in f and t in f for f in flat.values()))
    want = trades(runs[0], sync)
    assert len(want) >= 4, "the case should trade after the warm-up"
    for cut in CUTS:
        assert trades(runs[cut], sync) == want, cut
