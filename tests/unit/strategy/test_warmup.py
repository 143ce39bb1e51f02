"""Indicators do not depend on where the data starts; strategies declare their warm-up.

The field report: the same market with the file starting 140 candles later gave a different
first round trip (EMAs seeded from the file's first close, RSI averages from 0, "ready"
after 26 candles). Now each strategy declares ``startup_candle_count`` (Freqtrade's name),
emits nothing before it, and from there its signals are the same whatever the start.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

from claudedex.backtest.replay import Backtest
from claudedex.clock import Clock, ManualClock
from claudedex.domain import Signal
from claudedex.market.candles import Candle
from claudedex.market.view import MarketView
from claudedex.strategy import Strategy, build_strategy
from claudedex.strategy.patterns import PatternAnalyzer
from claudedex.strategy.registry import BUILTIN
from tests.unit.backtest.helpers import profile

STEP = 300.0
CUTS = (0, 37, 140, 333)


def market(n: int = 2400, seed: int = 3) -> list[Candle]:
    """A random walk with drifting regimes: crosses, dips and breakouts in both directions."""
    rng = random.Random(seed)
    out, p = [], 100.0
    for i in range(n):
        drift = 0.004 * (1 if (i // 90) % 2 == 0 else -1)
        q = p * (1 + drift + rng.gauss(0, 0.012))
        hi, lo = max(p, q) * (1 + rng.random() * 0.004), min(p, q) * (1 - rng.random() * 0.004)
        out.append(Candle(1_699_999_800 + i * STEP, p, hi, lo, q, rng.random() * 10))
        p = q
    return out


def feed(strategy: Strategy, candles: Sequence[Candle], held: bool) -> list[tuple[float, str]]:
    """Each candle into a fresh view (its pool priced at the close); the signals it gives."""
    clock = ManualClock()
    view = MarketView(clock, STEP)
    view.register_pair("P", "T")
    if held:
        view.portfolio.positions["T"] = 1
    out: list[tuple[float, str]] = []
    for n, c in enumerate(candles, 1):
        clock.advance_to(c.ts + STEP, n)
        view.add_candle("P", c)
        view.set_pool("P", "T", int(10**21 / c.close), 10**21, n, c.ts + STEP)
        for sig in strategy.evaluate("P", view, clock):
            assert n > strategy.startup_candle_count, "a signal during the warm-up"
            out.append((c.ts, f"{sig.side.value} {sig.reason}"))
    return out


STRATEGIES: list[tuple[str, dict[str, Any]]] = [
    ("momentum", {}),
    ("momentum", {"ema_fast": 3, "ema_slow": 8, "rsi_period": 5, "breakout_lookback": 5,
                  "volume_mult": 0.8, "require_breakout": True}),
    ("scalping", {"entry_bps": 50, "exit_bps": 50}),
]


@pytest.mark.parametrize(("name", "params"), STRATEGIES)
@pytest.mark.parametrize("held", [False, True])
def test_signals_after_warmup_do_not_depend_on_the_start(
    name: str, params: dict[str, Any], held: bool
) -> None:
    data = market()
    runs = {}
    for cut in CUTS:
        strategy = build_strategy(name, params)
        runs[cut] = feed(strategy, data[cut:], held)
    warm = strategy.startup_candle_count
    assert warm > max(int(params.get("ema_slow", 26)), 20)
    common = data[max(CUTS) + warm].ts  # every run is warm from this candle on
    after = {cut: [s for s in sigs if s[0] >= common] for cut, sigs in runs.items()}
    assert after[0], "the case should signal after the warm-up"
    for cut in CUTS:
        assert after[cut] == after[0], cut
        first = data[cut + warm].ts
        assert all(ts >= first for ts, _ in runs[cut])


def textbook_ema(xs: Sequence[float], period: int) -> float:
    """SMA of the first ``period`` values, then ``e += a * (x - e)``."""
    a = 2.0 / (period + 1)
    total = 0.0
    for x in xs[:period]:
        total += x
    e = total / period
    for x in xs[period:]:
        e = e + a * (x - e)
    return e


def wilder_rsi(xs: Sequence[float], period: int) -> float:
    """Wilder: averages of the first ``period`` changes, then ``(avg * (p - 1) + x) / p``."""
    gain = loss = 0.0
    for i in range(1, len(xs)):
        ch = xs[i] - xs[i - 1]
        up, down = (ch if ch > 0 else 0.0), (-ch if ch < 0 else 0.0)
        if i < period:
            gain, loss = gain + up, loss + down
        elif i == period:
            gain, loss = (gain + up) / period, (loss + down) / period
        else:
            gain = (gain * (period - 1) + up) / period
            loss = (loss * (period - 1) + down) / period
    return 100.0 if loss == 0.0 else 100.0 - 100.0 / (1.0 + gain / loss)


def test_indicators_are_the_textbook_ones_over_a_fixed_anchor() -> None:
    """After the warm-up each value is exactly the textbook EMA (SMA seed) and Wilder RSI of
    the candles since its anchor, a point fixed in absolute time; and within a hair of the
    same indicators over the whole history."""
    data = market(1500)
    closes = [c.close for c in data]
    an = PatternAnalyzer(12, 26, 14)
    clock = ManualClock()
    view = MarketView(clock, STEP)
    checked = 0
    for n, c in enumerate(data, 1):
        clock.advance_to(c.ts + STEP)
        view.add_candle("P", c)
        pat = an.update("P", view)
        assert pat.ready == (n > an.warmup)
        if not pat.ready:
            continue
        start = int((pat.since - data[0].ts) // STEP)
        assert pat.since % (an.span * STEP) == 0 and n - start >= an.span
        since = closes[start:n]
        assert pat.ema_fast == textbook_ema(since, 12)
        assert pat.ema_slow == textbook_ema(since, 26)
        assert pat.rsi == wilder_rsi(since, 14)
        assert pat.ema_slow == pytest.approx(textbook_ema(closes[:n], 26), rel=2e-4)
        assert pat.rsi == pytest.approx(wilder_rsi(closes[:n], 14), abs=0.1)
        checked += 1
    assert checked > 1000


class Eager(Strategy):
    """Buys at every candle: only the declared warm-up holds it back."""

    name: ClassVar[str] = "eager"
    startup_candle_count = 40  # its first 40 candles: no signal

    def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
        return [self.signal(pair, view.pair_token.get(pair, pair), "buy", "always")]


def test_no_signal_reaches_the_risk_before_the_declared_warmup() -> None:
    BUILTIN["eager"] = Eager
    try:
        result = Backtest(profile("eager", cooldown_s=0), candle_interval_s=STEP).run_candles(
            {"P": market(80)}, STEP)
    finally:
        del BUILTIN["eager"]
    eager = [s for s in result.signals if s.reason == "always"]
    # the kernel evaluates on each of a candle's four ticks (claudedex.backtest.candle_feed);
    # candle n's decision is taken at candle n+1's ticks, so from the 42nd candle on, and
    # the last candle never closes: 39 candles of four signals, none before
    assert len(eager) == 4 * (80 - 40 - 1)


def test_builtins_declare_their_warmup() -> None:
    m = build_strategy("momentum", {})
    assert m.startup_candle_count == PatternAnalyzer(12, 26, 14).warmup >= 4 * 26
    assert build_strategy("scalping", {}).startup_candle_count > 20
    assert build_strategy("ai", {}).startup_candle_count == 0  # acts on scores, not candles
