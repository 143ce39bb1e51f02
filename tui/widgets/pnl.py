"""P&L: realized, unrealized and today's figures over an equity curve (textual-plotext)."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.formatting import clock_ticks, signed, units
from tui.state import ConsoleState
from tui.widgets.plot import CachedPlot

ZERO = Decimal(0)


class PnlPane(Vertical):
    BORDER_TITLE = "P&L"

    def compose(self) -> ComposeResult:
        yield Static(id="pnl-figures")
        yield CachedPlot(id="pnl-curve")

    def show(self, state: ConsoleState) -> None:
        grid = Table.grid(padding=(0, 1))  # label, value: fits a third of 120 columns
        grid.add_column(style="dim")
        grid.add_column(justify="right")
        grid.add_row("equity" if state.equity else "wallet",
                     Text(f"{units(state.equity_quote):,.4f} Ξ", style="bold"))
        grid.add_row("realized", signed(units(state.realized_quote) or ZERO, 4, " Ξ"))
        grid.add_row("unrealized", signed(units(state.unrealized_quote) or ZERO, 4, " Ξ"))
        grid.add_row("today", signed(units(state.today_quote) or ZERO, 4, " Ξ"))
        self.query_one("#pnl-figures", Static).update(grid, layout=False)  # always 4 rows
        plot = self.query_one(CachedPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        values = [amount / 1e18 for _, amount in state.equity]  # analytics only
        stamps = [ts for ts, _ in state.equity]
        if values:
            plt.plot(list(range(len(values))), values, marker="braille")
        plt.title("equity (Ξ)")
        # as many clock labels as fit without touching (plotext drops colliding ones)
        fit = max(2, min(5, (plot.size.width - 8) // 12)) if plot.size.width else 2
        positions, labels = clock_ticks(stamps, fit)
        plt.xticks([float(p) for p in positions], labels)  # clock time, not an index
        plot.changed()
