"""Form pieces shared by the trading dialogs: fields that keep their own keys, and a
confirmation screen that type-ahead cannot answer.

Why tab is a *priority* binding here: the app checks priority bindings the moment a key
arrives, before forwarding it; an ordinary tab travels to the focused Input's queue and
bubbles back later, so in a burst (``0.03<tab>120``) the keys after it were already queued
for the first field, which read ``0.03120``. Moving focus on arrival sends every later key
to the field that was focused when it arrived.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import events
from textual._time import get_time  # the clock Textual stamps each message with
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

FIELD_BINDINGS = [
    Binding("tab", "app.focus_next", "Next field", priority=True, show=False),
    Binding("shift+tab", "app.focus_previous", "Previous field", priority=True, show=False),
]
FIELD_SEPARATORS = re.compile(r"[\t\r\n]+")


class FieldInput(Input):
    """One field of a form. A paste with tabs or newlines fills this field and the ones
    after it, one part each, instead of landing in this field as one string."""

    def _on_paste(self, event: events.Paste) -> None:
        parts = [p for p in FIELD_SEPARATORS.split(event.text) if p] if event.text else []
        if len(parts) <= 1:
            super()._on_paste(event)
            return
        event.stop()
        fields = list(self.screen.query(FieldInput))
        for field, part in zip(fields[fields.index(self):], parts, strict=False):
            field.value = ""
            field.insert_text_at_cursor(part)  # honours each field's ``restrict``


class ConfirmScreen(ModalScreen[bool]):
    """Shows exactly what will be sent; enter sends, escape cancels.

    With ``word`` the operator must type it (e.g. RISKY) before enter. An enter pressed
    before this screen appeared (type-ahead, a pasted newline) is ignored: only a key the
    operator pressed while reading the summary confirms it.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("n", "cancel", "No", show=False)]

    def __init__(self, title: str, lines: list[Text | str], *, word: str = "",
                 action: str = "send") -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.word = word
        self.action_word = action
        self.opened_at = float("inf")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"))
            for line in self.lines:
                yield Label(line)
            if self.word:
                yield Label(Text(f"type {self.word} and enter to {self.action_word}",
                                 style="bold yellow"))
                yield Input(placeholder=f"type {self.word}", id="confirm")
            else:
                yield Label(f"enter to {self.action_word}, escape to cancel", classes="hint")
            yield Label("", id="error")

    def on_mount(self) -> None:
        self.opened_at = get_time()

    def on_key(self, event: events.Key) -> None:
        if event.key != "enter" or self.word:
            return
        event.stop()
        if event.time >= self.opened_at:
            self.dismiss(True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip() == self.word:
            self.dismiss(True)
        else:
            self.query_one("#error", Label).update(
                Text(f"type {self.word} exactly, or escape", style="bold red"))

    def action_cancel(self) -> None:
        self.dismiss(False)
