"""Log and alerts: engine happenings as plain lines, coloured by level."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import RichLog

from tui.safe_text import clean

LEVEL_STYLE = {"debug": "dim", "info": "", "warning": "yellow", "error": "bold red",
               "critical": "bold white on red"}


class LogPane(RichLog):
    BORDER_TITLE = "Log & alerts"

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, max_lines=1_000, markup=False, highlight=False, wrap=False)

    def add(self, level: str, message: str, at: float) -> None:
        line = Text(time.strftime("%H:%M:%S ", time.gmtime(at)), style="dim")
        line.append(f"{level[:4].upper():<5}", style=LEVEL_STYLE.get(level, ""))
        # Messages quote token names and finding details: cleaned, never markup.
        line.append(clean(message, 240), style=LEVEL_STYLE.get(level, ""))
        self.write(line)
