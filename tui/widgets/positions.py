"""Open positions: size, entry, mark, P&L and the SL/TP levels portfolio manages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from claudedex.events import PositionChanged
from tui.formatting import dec, price, signed, units
from tui.safe_text import SYMBOL_MAX, safe, short_addr
from tui.widgets.rows import cursor_row_key

COLUMNS = (("token", "Token"), ("size", "Size"), ("entry", "Entry Ξ"), ("mark", "Mark Ξ"),
           ("pnl", "P&L Ξ"), ("pnl_pct", "P&L %"), ("sltp", "SL / TP"))


def cells(position: PositionChanged, decimals: int) -> list[Text]:
    scaled = units(position.amount, decimals)  # None: the token's decimals are unusable
    amount = scaled or Decimal(0)
    cost = units(position.cost_quote) or Decimal(0)
    mark = units(position.mark_quote) or Decimal(0)
    entry = cost / amount if amount else None
    mark_price = mark / amount if amount else None
    pnl = mark - cost
    pct = pnl * 100 / cost if cost else Decimal(0)
    sltp = f"{dec(position.stop_loss, 6)} / {dec(position.take_profit, 6)}"
    # an exit that failed is retried; until it lands the row says so (the log has why)
    levels = (Text("EXIT FAILING", style="bold white on red") if position.exit_status
              else Text(sltp, style="dim"))
    return [
        safe(position.symbol or short_addr(position.token), SYMBOL_MAX, style="bold"),
        Text("?" if scaled is None else f"{scaled:,.2f}", justify="right"),
        Text(price(entry), justify="right"),
        Text(price(mark_price), justify="right"),
        signed(pnl),
        signed(pct, 1),
        levels,
    ]


class PositionsPane(DataTable[Text]):
    BORDER_TITLE = "Positions"
    BINDINGS = [Binding("c", "app.close_position", "Close (sell all)")]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row")

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def set_positions(self, positions: Iterable[tuple[PositionChanged, int]]) -> None:
        """``(position, token decimals)`` pairs; closed positions (amount 0) are hidden."""
        self.clear()
        total = Decimal(0)
        for position, decimals in positions:
            if position.amount <= 0:
                continue
            self.add_row(*cells(position, decimals), key=position.token.lower())
            total += units(position.mark_quote - position.cost_quote) or Decimal(0)
        self.border_subtitle = (f"{self.row_count} open, unrealized {total:+.4f} Ξ"
                                if self.row_count else "")

    @property
    def selected_token(self) -> str | None:
        """The token of the row under the cursor (rows are keyed by lower-case address)."""
        return cursor_row_key(self)
