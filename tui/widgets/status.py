"""Status bar (profile, chain, block, gas, signer) and the HALTED banner.

Why a separate banner: a halted engine must be impossible to miss, so it takes three full
lines in red at the top of every screen of the app rather than a word in the status bar.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.formatting import gwei, units
from tui.safe_text import clean
from tui.state import ConsoleState

STOP_KEY = "ctrl+x"
RESUME_KEY = "ctrl+r"


class StatusBar(Static):
    """The engine's state and the stop key come first: on a narrow terminal the rest is
    what gets cut (the end of the bar is ellipsised), never HALTED or ctrl+x."""

    def show(self, state: ConsoleState) -> None:
        bar = Text(no_wrap=True, overflow="ellipsis")
        sep = (" │ ", "dim")
        if state.halted:
            bar.append(" HALTED ", style="bold white on red")
            bar.append(f" {RESUME_KEY} resume", style="bold")
        elif state.starting:  # start-up progress right after the state: never cut
            bar.append(" STARTING ", style="bold black on yellow")
            bar.append(f" {STOP_KEY} = STOP", style="bold")
            bar.append(*sep)
            bar.append(clean(state.starting, 80), style="bold yellow")
        else:
            bar.append(" RUNNING ", style="bold black on green")
            bar.append(f" {STOP_KEY} = STOP", style="bold")
        bar.append(*sep)
        bar.append(f"{len(state.proposals)} pending", style="bold" if state.proposals else "")
        bar.append(*sep)
        bar.append(f"{state.open_positions} open", style="")
        bar.append(*sep)
        # the portfolio's equity once marked; until then what the wallet holds, so named
        bar.append("equity Ξ " if state.equity else "wallet Ξ ", style="dim")
        bar.append(f"{units(state.equity_quote):,.4f}", style="bold")
        bar.append(*sep)
        bar.append("signer ", style="dim")
        bar.append(clean(state.signer, 16))
        if state.halted:
            bar.append(" REFUSING", style="bold red")
        else:
            bar.append(" armed", style="green")
        bar.append(*sep)
        bar.append("profile ", style="dim")
        bar.append(clean(state.profile, 24), style="bold")
        bar.append(*sep)
        bar.append("block ", style="dim")
        bar.append(f"{state.block:,}")
        bar.append(*sep)
        bar.append("gas ", style="dim")
        bar.append(gwei(state.base_fee_wei))
        bar.append(*sep)
        bar.append("chain ", style="dim")
        bar.append(clean(state.chain, 32))
        self.update(bar, layout=False)  # one line, full width: a layout pass is wasted


class HaltBanner(Static):
    """Three red lines, each kept to one screen line: the first says HALTED whatever the
    width (a wrapped banner once pushed it off an 80-column screen)."""

    _shown: tuple[bool, str] | None = None

    def show(self, state: ConsoleState) -> None:
        if self._shown == (state.halted, state.halt_reason):
            return  # unchanged: no redraw (this is called on every status change)
        self._shown = (state.halted, state.halt_reason)
        self.set_class(state.halted, "-halted")
        if not state.halted:
            self.update("")
            return
        text = Text(justify="center", no_wrap=True, overflow="ellipsis")
        text.append("■ HALTED ■  the signer refuses every transaction\n", style="bold")
        reason = Text(clean(state.halt_reason, 200) if state.halt_reason else "emergency stop",
                      no_wrap=True, overflow="ellipsis")
        text.append_text(reason)
        text.append(f"\n{RESUME_KEY} to resume (with confirmation)")
        self.update(text)
