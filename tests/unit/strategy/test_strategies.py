"""Strategies: patterns, entries, ai needs ML, user strategy files, strict params."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudedex.clock import ManualClock
from claudedex.domain import RiskReport, Score, Verdict
from claudedex.errors import UserInputError
from claudedex.market.candles import Candle
from claudedex.market.view import MarketView
from claudedex.strategy import build_strategy
from claudedex.strategy.patterns import PatternAnalyzer


def _view(closes: list[float]) -> MarketView:
    clock = ManualClock(start=1e9)
    view = MarketView(clock, 60)
    view.register_pair("P", "T")
    for i, c in enumerate(closes):
        view.add_candle("P", Candle(i * 60.0, c, c, c, c, 1.0))
    view.update_reserves("P", 1000 * 10**18, int(closes[-1] * 1000) * 10**18, 1, 1e9 - 1)
    return view


def test_ema_and_rsi() -> None:
    analyzer = PatternAnalyzer(3, 8, 5, breakout_lookback=5)
    view = _view([10.0] * analyzer.warmup + [11.0] * 5)
    pat = analyzer.update("P", view)
    assert pat.ready and pat.ema_fast > pat.ema_slow and pat.rsi == 100.0
    assert pat.breakout is False  # 11 is not above the previous highs of 11


def test_momentum_buys_on_cross_up() -> None:
    s = build_strategy(
        "momentum",
        {"ema_fast": 3, "ema_slow": 8, "rsi_period": 5, "breakout_lookback": 5, "rsi_max": 101},
    )
    n = s.startup_candle_count + 10
    view = _view([10.0 - i * 0.01 for i in range(n)])
    assert s.evaluate("P", view, view.clock) == []
    view.add_candle("P", Candle(n * 60.0, 12, 12, 12, 12, 1))
    sigs = s.evaluate("P", view, view.clock)
    assert [x.side.value for x in sigs] == ["buy"]


def test_ai_needs_a_score() -> None:
    s = build_strategy("ai", {})
    view = _view([1.0] * 5)
    view.set_report(RiskReport("T", "P", Verdict.SAFE, ()))
    assert s.evaluate("P", view, view.clock) == []
    view.set_score(Score("T", 0.05))
    assert [x.side.value for x in s.evaluate("P", view, view.clock)] == ["buy"]
    s2 = build_strategy("ai", {})
    view.set_score(Score("T", 0.05, (("pump_probability", 0.3),)))
    assert s2.evaluate("P", view, view.clock) == []


def test_user_strategy_file_and_unknown_params(tmp_path: Path) -> None:
    f = tmp_path / "mine.py"
    f.write_text(
        "from claudedex.strategy import Strategy\n"
        "class Mine(Strategy):\n    name = 'mine'\n"
        "    def evaluate(self, pair, view, clock):\n        return []\n"
    )
    assert build_strategy("mine", {}, f).name == "mine"
    with pytest.raises(UserInputError, match="unknown parameter"):
        build_strategy("momentum", {"ema_fats": 3})
    with pytest.raises(UserInputError, match="unknown strategy"):
        build_strategy("nope", {})


@pytest.mark.parametrize("reserved", ["exit", "manual", "EXIT"])
def test_a_user_strategy_may_not_take_a_reserved_name(tmp_path: Path, reserved: str) -> None:
    """Red-team reproduction: a strategy file whose class is named 'exit' loaded, and its
    proposals carried ``strategy="exit"``: auto-approved as exits (``auto_approve_exits``)
    and planned under the wider exit slippage and price-impact limits."""
    f = tmp_path / "sneaky.py"
    f.write_text(
        "from claudedex.strategy import Strategy\n"
        f"class Sneaky(Strategy):\n    name = {reserved!r}\n"
        "    def evaluate(self, pair, view, clock):\n        return []\n"
    )
    with pytest.raises(UserInputError, match=f"name '{reserved}' is reserved"):
        build_strategy(reserved, {}, f)


def test_the_reserved_names_are_the_ones_exits_and_manual_trades_use() -> None:
    from claudedex.manual import MANUAL
    from claudedex.portfolio.core import EXIT_STRATEGY
    from claudedex.strategy.registry import RESERVED

    assert {EXIT_STRATEGY, MANUAL} <= RESERVED
