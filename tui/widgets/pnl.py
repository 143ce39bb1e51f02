"""P&L: realized, unrealized and today's figures over an equity curve (textual-plotext)."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.formatting import signed, units
from tui.state import ConsoleState
from tui.widgets.plot import CachedPlot

ZERO = Decimal(0)


class PnlPane(Vertical):
    BORDER_TITLE = "P&L"

    def compose(self) -> ComposeResult:
        yield Static(id="pnl-figures")
        yield CachedPlot(id="pnl-curve")

    def show(self, state: ConsoleState) -> None:
        grid = Table.grid(padding=(0, 2))
        for _ in range(4):
            grid.add_column(justify="right")
        grid.add_row(Text("equity", style="dim"), Text("realized", style="dim"),
                     Text("unrealized", style="dim"), Text("today", style="dim"))
        grid.add_row(Text(f"{units(state.equity_quote):,.4f} Ξ", style="bold"),
                     signed(units(state.realized_quote) or ZERO),
                     signed(units(state.unrealized_quote) or ZERO),
                     signed(units(state.today_quote) or ZERO))
        self.query_one("#pnl-figures", Static).update(grid)
        plot = self.query_one(CachedPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        values = [amount / 1e18 for _, amount in state.equity]  # analytics only
        if values:
            plt.plot(list(range(len(values))), values, marker="braille")
        plt.title("equity (Ξ)")
        plt.xticks([])
        plot.changed()
