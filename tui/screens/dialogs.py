"""Small modal dialogs: resume confirmation, feed filter and help.

They only collect input and dismiss with it; the app sends the engine command.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

RESUME_WORD = "RESUME"

KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+x", "EMERGENCY STOP: halt now, no confirmation; the signer refuses at once"),
    ("ctrl+r", "resume after a halt (type RESUME to confirm)"),
    ("a", "approve the selected proposal (approvals pane focused; a buy asks first)"),
    ("r", "reject the selected proposal (approvals pane focused)"),
    ("o", "override: size, slippage, or accept risky/unknown (type RISKY); never scam"),
    ("b", "buy by address: quote first, then a summary; enter sends"),
    ("c", "close the selected position: sell all (positions pane focused), quote first"),
    ("d / enter", "details of the selected pair: findings, evidence, price and volume"),
    ("/", "filter the pair feed (words, or safe / risky / scam / unknown / pending)"),
    ("tab", "move between panes"),
    ("? / f1", "this help"),
    ("ctrl+q", "quit (the engine stops cleanly; asks when positions are open)"),
)


class ResumeScreen(ModalScreen[bool]):
    """Resuming trading needs the operator to type RESUME: it re-arms the signer."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Resume trading?", style="bold"))
            yield Label(f"The signer will accept transactions again. Type {RESUME_WORD}.")
            yield Input(placeholder=f"type {RESUME_WORD}", id="confirm")
            yield Label("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip().upper() == RESUME_WORD:
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
        with Vertical(classes="dialog wide"):
            yield Label(Text("ClaudeDex console keys", style="bold"))
            yield Static(table)
            yield Label(Text("The console sends engine commands; it never signs anything.",
                             style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
