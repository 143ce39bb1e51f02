"""Small modal dialogs: resume confirmation, feed filter and help.

They only collect input and dismiss with it; the app sends the engine command.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

RESUME_WORD = "RESUME"

KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+x", "EMERGENCY STOP: halt now, no confirmation, from every screen; the signer "
               "refuses at once"),
    ("ctrl+r", "resume after a halt (type RESUME exactly, capitals)"),
    ("a", "approve the selected proposal (approvals pane focused; a buy asks first)"),
    ("r", "reject the selected proposal (approvals pane focused)"),
    ("o", "override: size, slippage, or accept risky/unknown (type RISKY); never scam"),
    ("b", "buy by address: quote first, then a summary; enter sends"),
    ("c", "close the selected position: sell all (positions pane focused), quote first"),
    ("d / enter", "details of the selected pair: findings, evidence, price and volume"),
    ("/", "filter the pair feed (words, venue, or safe / risky / scam / unknown / pending)"),
    ("w", "wallet balances"),
    ("h", "orders and trades, with each trade's P&L"),
    ("e", "exits: the rule that fired and its outcome"),
    ("s", "decision log: every signal, proposed or not, and why"),
    ("l", "maximise the log and alerts (z or escape restores)"),
    ("z", "maximise the focused pane, or restore the layout"),
    ("tab / shift+tab", "move between panes (and between fields in a dialog)"),
    ("↑ ↓", "move the cursor in the focused pane"),
    ("pgup / pgdn", "a page up or down"),
    ("home / end", "feed: newest (top) / oldest pair; tables: first / last row"),
    ("enter", "open the pair under the cursor; in a summary: send"),
    ("escape", "close a dialog or screen, cancel a summary, restore a maximised pane"),
    ("mouse", "click a row to select it, double-click to open it, wheel to scroll, "
              "click a pane to focus it"),
    ("ctrl+p", "command palette: halt, resume, buy, close, filter, screens …"),
    ("? / f1", "this help"),
    ("ctrl+q", "quit (the engine stops cleanly; asks when positions are open)"),
)


class ResumeScreen(ModalScreen[bool]):
    """Resuming trading needs the operator to type RESUME: it re-arms the signer."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Resume trading?", style="bold"))
            yield Label("The signer will accept transactions again.")
            yield Label(f"Type {RESUME_WORD} in capitals and enter; escape cancels.")
            yield Input(placeholder=f"type {RESUME_WORD}", id="confirm")
            yield Label("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value == RESUME_WORD:  # exactly: "resume" or " RESUME" is not it
            self.dismiss(True)
        else:
            self.query_one("#error", Label).update(f"type {RESUME_WORD} exactly, or escape")

    def action_cancel(self) -> None:
        self.dismiss(False)


class FilterScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Filter the pair feed (empty clears it):")
            yield Input(value=self._current, placeholder="e.g. safe pepe", id="filter")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan")
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with VerticalScroll(classes="dialog wide"):  # scrolls on an 80x24 terminal
            yield Label(Text("ClaudeDex console keys", style="bold"))
            yield Static(table)
            yield Label(Text("The console sends engine commands; it never signs anything.",
                             style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
