"""A position whose exit keeps failing says so in its row (not only in the log file)."""

from __future__ import annotations

from decimal import Decimal

from claudedex.events import PositionChanged
from tui.widgets.positions import cells


def position(status: str = "") -> PositionChanged:
    return PositionChanged(token="0x" + "ab" * 20, symbol="TKN", amount=10**18,
                           cost_quote=10**17, mark_quote=5 * 10**16, realized_quote=0,
                           stop_loss=Decimal(15), take_profit=Decimal(30), exit_status=status)


def test_a_failing_exit_replaces_the_levels_with_a_warning() -> None:
    assert cells(position(), 18)[-1].plain == "-15% / +30%"
    flagged = cells(position("exit failed x2: reverted"), 18)[-1]
    assert flagged.plain == "EXIT FAILING" and "red" in str(flagged.style)
