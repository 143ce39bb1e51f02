"""Full-screen views of what happened: wallet, orders and trades (with each trade's P&L),
exits (rule and outcome), and the decision log (what became of every strategy signal).

Why separate screens: the main screen shows the present and has no room for the story.
Each view is a table rebuilt from :class:`tui.history.History` and the console state (no
I/O here); the app re-renders the open view when history changes. Escape closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label

from tui.formatting import ago, signed, token_amount, units
from tui.history import OrderRow
from tui.safe_text import DETAIL_MAX, SYMBOL_MAX, safe, short_addr
from tui.state import ConsoleState
from tui.widgets.status import StatusBar

Rows = list[list[Text]]
STATE_STYLE = {"filled": "green", "failed": "bold red", "reverted": "bold red",
               "dropped": "red", "cancelled": "yellow", "simulated": "dim"}
OUTCOME_STYLE = {"proposed": "bold green", "dropped": "yellow", "cooldown": "dim"}


def _token(state: ConsoleState, token: str, symbol: str = "") -> Text:
    if not symbol:
        row = state.pair_for_token(token)
        symbol = row.info.symbol if row is not None else ""
    return safe(symbol or short_addr(token), SYMBOL_MAX, style="bold")


def _amounts(state: ConsoleState, order: OrderRow) -> tuple[str, str]:
    decimals = state.decimals(order.token)
    if not order.amount_in and not order.amount_out:
        return "—", "—"
    if order.side == "buy":
        return (f"{token_amount(order.amount_in, 18)} Ξ",
                token_amount(order.amount_out, decimals))
    return token_amount(order.amount_in, decimals), f"{token_amount(order.amount_out, 18)} Ξ"


def _pnl(order: OrderRow) -> Text:
    if order.pnl_quote is None:
        return Text("—", style="dim")
    return signed(units(order.pnl_quote) or Decimal(0), 4, " Ξ")


def order_rows(state: ConsoleState, now: float) -> Rows:
    """Every order the console saw (and stored fills of earlier runs), newest first."""
    rows: Rows = []
    for order in reversed(state.history.orders.values()):
        amount_in, amount_out = _amounts(state, order)
        rows.append([
            Text(ago(now - order.updated_at) if order.updated_at else "—", style="dim"),
            Text(order.side.upper() or "?"), _token(state, order.token, order.symbol),
            Text(order.state, style=STATE_STYLE.get(order.state, "")),
            Text(amount_in, justify="right"), Text(amount_out, justify="right"), _pnl(order),
            safe(order.strategy or "manual", 12), safe(order.detail or order.reason, DETAIL_MAX),
            Text(order.order_id, style="dim")])
    return rows


def exit_rows(state: ConsoleState, now: float) -> Rows:
    rows: Rows = []
    for order in state.history.exits():
        _, amount_out = _amounts(state, order)
        rows.append([
            Text(ago(now - order.updated_at) if order.updated_at else "—", style="dim"),
            _token(state, order.token, order.symbol), safe(order.reason or "?", 30),
            Text(order.state, style=STATE_STYLE.get(order.state, "")),
            Text(amount_out, justify="right"), _pnl(order),
            safe(order.detail, DETAIL_MAX)])
    return rows


def decision_rows(state: ConsoleState, now: float) -> Rows:
    rows: Rows = []
    for event in reversed(state.history.decisions):
        why = event.reason or (f"sized by {event.size_by}" if event.size_by else "")
        rows.append([
            Text(ago(now - event.ts), style="dim"), _token(state, event.token, event.symbol),
            Text(event.side.upper()), safe(event.strategy, 12),
            Text(event.outcome, style=OUTCOME_STYLE.get(event.outcome, "")),
            safe(why, DETAIL_MAX), Text(event.proposal_id, style="dim")])
    return rows


def wallet_rows(state: ConsoleState, now: float) -> Rows:
    """The chain's native balance (read at start and on open) and each held token."""
    rows: Rows = []
    if state.wallet_quote is not None:
        rows.append([Text("ETH", style="bold"), Text(token_amount(state.wallet_quote, 18),
                                                    justify="right"),
                     Text(f"{token_amount(state.wallet_quote, 18)} Ξ", justify="right"),
                     Text("signer balance on chain", style="dim")])
    for position in state.positions.values():
        if position.amount <= 0:
            continue
        rows.append([_token(state, position.token, position.symbol),
                     Text(token_amount(position.amount, state.decimals(position.token)),
                          justify="right"),
                     Text(f"{token_amount(position.mark_quote, 18)} Ξ", justify="right"),
                     Text("held (portfolio), valued at the pool", style="dim")])
    return rows


class TableScreen(ModalScreen[None]):
    """A titled table over the whole terminal; ``rows`` is called again on each update."""

    # ^X here only shows the stop key in this screen's footer: the app's priority binding
    # of the same key acts first, from every screen
    BINDINGS = [Binding("ctrl+x", "app.halt", "STOP", key_display="^X"),
                Binding("escape,q", "close", "Close")]

    def __init__(self, name: str, title: str, columns: Sequence[str],
                 rows: Callable[[ConsoleState, float], Rows], hint: str = "") -> None:
        super().__init__(name=name)
        self.title_text = title
        self.columns = columns
        self.rows = rows
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield StatusBar(id="view-status")  # HALTED and the stop key stay on screen here too
        with Vertical(classes="view"):
            yield Label(Text(self.title_text, style="bold"))
            yield DataTable[Text](cursor_type="row", zebra_stripes=True)
            yield Label(Text(self.hint or "escape closes; arrows, Home/End and the mouse "
                                          "scroll", style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.columns)
        self.update_rows()
        table.focus()

    def update_rows(self) -> None:
        app = self.app
        state: ConsoleState = app.state  # type: ignore[attr-defined]
        now: float = app.now()  # type: ignore[attr-defined]
        self.query_one(StatusBar).show(state)
        table: DataTable[Text] = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        rows = self.rows(state, now)
        for cells in rows:
            table.add_row(*cells)
        if not rows:
            table.add_row(Text("nothing yet", style="dim"), *[Text("")] * (len(self.columns) - 1))
        table.move_cursor(row=min(row, max(table.row_count - 1, 0)), animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


VIEWS: dict[str, tuple[str, tuple[str, ...], Callable[[ConsoleState, float], Rows]]] = {
    "wallet": ("Wallet balances",
               ("Asset", "Balance", "Value", "Source"), wallet_rows),
    "history": ("Orders and trades (P&L per sell: out − average cost − gas)",
                ("When", "Side", "Token", "State", "In", "Out", "P&L", "Strategy",
                 "Detail / reason", "Order"), order_rows),
    "exits": ("Exits: the rule that fired and what became of it",
              ("When", "Token", "Rule", "Outcome", "Out", "P&L", "Detail"), exit_rows),
    "decisions": ("Decision log: every signal, proposed or not, and why",
                  ("When", "Token", "Side", "Strategy", "Outcome", "Why / sized by",
                   "Proposal"), decision_rows),
}


def view(name: str) -> TableScreen:
    """The named view (a key of :data:`VIEWS`)."""
    title, columns, rows = VIEWS[name]
    return TableScreen(name, title, columns, rows)


__all__ = ["VIEWS", "TableScreen", "view"]
