"""Open positions: size, entry, mark, P&L and the SL/TP levels portfolio manages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from claudedex.events import PositionChanged
from tui.formatting import amount as fmt_amount
from tui.formatting import pct, price, signed, units
from tui.safe_text import SYMBOL_MAX, safe, short_addr
from tui.widgets.rows import cursor_row_key

# P&L first: a narrow pane scrolls sideways, and P&L is what must not scroll away
# (key, header, width): fixed widths, so a column never depends on what was shown before
COLUMNS = (("token", "Token", 12), ("pnl_pct", "P&L %", 7), ("pnl", "P&L Ξ", 8),
           ("size", "Size", 12), ("entry", "Entry Ξ", 9), ("mark", "Mark Ξ", 9),
           ("sltp", "SL / TP", 12))
SIZE = 3  # index of the size cell


def levels(position: PositionChanged) -> Text:
    """Stop-loss and take-profit as the percentages the portfolio applies (``-15% / +30%``);
    an exit that failed is retried, and until it lands the cell says so."""
    if position.exit_status:
        return Text("EXIT FAILING", style="bold white on red")
    stop = "—" if position.stop_loss is None else pct(-abs(position.stop_loss), 0)
    take = "—" if position.take_profit is None else pct(position.take_profit, 0, sign=True)
    return Text(f"{stop} / {take}", style="dim")


def cells(position: PositionChanged, decimals: int) -> list[Text]:
    scaled = units(position.amount, decimals)  # None: the token's decimals are unusable
    amount = scaled or Decimal(0)
    cost = units(position.cost_quote) or Decimal(0)
    mark = units(position.mark_quote) or Decimal(0)
    entry = cost / amount if amount else None
    mark_price = mark / amount if amount else None
    pnl = mark - cost
    change = pnl * 100 / cost if cost else Decimal(0)
    return [
        safe(position.symbol or short_addr(position.token), SYMBOL_MAX, style="bold"),
        signed(change, 1, "%"),
        signed(pnl),
        Text(fmt_amount(scaled), justify="right"),
        Text(price(entry), justify="right"),
        Text(price(mark_price), justify="right"),
        levels(position),
    ]


class PositionsPane(DataTable[Text]):
    BORDER_TITLE = "Positions"
    BINDINGS = [Binding("c", "app.close_position", "Close (sell all)")]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row")

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def set_positions(self, positions: Iterable[tuple[PositionChanged, int]]) -> None:
        """``(position, token decimals)`` pairs; closed positions (amount 0) are hidden."""
        # clear() homes the cursor and the scroll: a price tick must not move the cursor
        # to another position between the operator's selection and their "c"
        scrolled, keep = self.scroll_x, self.selected_token
        self.clear()
        total = Decimal(0)
        for position, decimals in positions:
            if position.amount <= 0:
                continue
            self.add_row(*cells(position, decimals), key=position.token.lower())
            total += units(position.mark_quote - position.cost_quote) or Decimal(0)
        self.border_subtitle = (f"{self.row_count} open, unrealized {total:+,.4f} Ξ"
                                if self.row_count else "none open")
        if keep is not None and self.row_count:
            try:
                self.move_cursor(row=self.get_row_index(keep), animate=False)
            except RowDoesNotExist:  # that position closed meanwhile
                pass
        if scrolled:
            self.call_after_refresh(self.scroll_to, x=scrolled, animate=False)

    @property
    def selected_token(self) -> str | None:
        """The token of the row under the cursor (rows are keyed by lower-case address)."""
        return cursor_row_key(self)
