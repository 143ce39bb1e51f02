"""Approvals queue: every pending TradeProposal with its factors, ML score, route and costs.

The pane only shows and selects; approving, rejecting and overriding are app actions that
send engine commands for the selected proposal.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from claudedex.domain import Side, TradeProposal
from tui.formatting import bps, verdict_badge
from tui.messages import ProposalSelected
from tui.safe_text import SYMBOL_MAX, clean, safe, short_addr
from tui.widgets.rows import cursor_row_key

COLUMNS = (("id", "Id"), ("side", "Side"), ("token", "Token"), ("size", "Size Ξ"),
           ("verdict", "Verdict"), ("ml", "Scam p"), ("factors", "Top factor"),
           ("route", "Route"), ("impact", "Impact"), ("gas", "Gas"))


def top_factor(proposal: TradeProposal) -> Text:
    if not proposal.factors:
        return Text("—", style="dim")
    worst = max(proposal.factors, key=lambda f: (f.blocking, f.score))
    style = "bold red" if worst.blocking else "yellow" if worst.score >= 0.5 else ""
    return Text(f"{clean(worst.name, 14)} {worst.score:.2f}", style=style)


def cells(proposal: TradeProposal) -> list[Text]:
    side_style = "bold green" if proposal.side is Side.BUY else "bold magenta"
    return [
        safe(proposal.id, 10, style="dim"),
        Text(proposal.side.value.upper(), style=side_style),
        safe(proposal.symbol or short_addr(proposal.token), SYMBOL_MAX, style="bold"),
        Text(f"{proposal.quote_value:,.4f}", justify="right"),
        verdict_badge(proposal.verdict),
        Text("—" if proposal.ml_score is None else f"{proposal.ml_score:.0%}",
             justify="right"),
        top_factor(proposal),
        safe(f"{proposal.venue}/{proposal.strategy}" if proposal.strategy else proposal.venue,
             20),
        Text(bps(proposal.price_impact_bps), justify="right"),
        Text(f"{proposal.gas_estimate:,}", justify="right"),
    ]


class ApprovalsPane(DataTable[Text]):
    BORDER_TITLE = "Approvals"
    # shown in the footer only while this pane has focus; the app's actions check it too
    BINDINGS = [Binding("a", "app.approve", "Approve"), Binding("r", "app.reject", "Reject"),
                Binding("o", "app.override", "Override")]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row")
        self._last_selected: str | None = None

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def set_proposals(self, proposals: Iterable[TradeProposal]) -> None:
        keep = self.selected_id
        self.clear()
        for proposal in proposals:
            self.add_row(*cells(proposal), key=proposal.id)
        self.border_subtitle = f"{self.row_count} pending" if self.row_count else ""
        if keep is not None:
            try:
                self.move_cursor(row=self.get_row_index(keep), animate=False)
            except RowDoesNotExist:  # it was decided meanwhile
                self.move_cursor(row=0, animate=False)
        self._announce()

    @property
    def selected_id(self) -> str | None:
        return cursor_row_key(self)

    def _announce(self) -> None:
        selected = self.selected_id
        if selected != self._last_selected:
            self._last_selected = selected
            self.post_message(ProposalSelected(selected))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._announce()
