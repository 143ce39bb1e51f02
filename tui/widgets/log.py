"""Log and alerts: engine happenings as plain lines, coloured by level."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import RichLog

from tui.formatting import clock
from tui.safe_text import clean

LEVEL_STYLE = {"debug": "dim", "info": "", "warning": "yellow", "error": "bold red",
               "critical": "bold white on red"}


class LogPane(RichLog):
    BORDER_TITLE = "Log & alerts"

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, max_lines=1_000, markup=False, highlight=False, wrap=False)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)  # writes made before the size was known are drawn here
        self.scroll_end(animate=False)  # the newest line stays in view when resized

    def add(self, level: str, message: str, at: float) -> None:
        line = Text(f"{clock(at)} ", style="dim")
        line.append(f"{level[:4].upper():<5}", style=LEVEL_STYLE.get(level, ""))
        # Messages quote token names and finding details: cleaned, never markup.
        line.append(clean(message, 240), style=LEVEL_STYLE.get(level, ""))
        self.write(line)
