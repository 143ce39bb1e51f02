"""Approvals queue: every pending TradeProposal with its factors, ML score, route and costs.

The pane only shows and selects; approving, rejecting and overriding are app actions that
send engine commands for the selected proposal.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from claudedex.domain import Side, TradeProposal
from tui.formatting import age, bps, verdict_badge
from tui.messages import ProposalSelected
from tui.safe_text import SYMBOL_MAX, clean, safe, short_addr
from tui.widgets.rows import cursor_row_key

# the columns an operator decides by come first: a narrow pane scrolls sideways for the rest
# (key, header, width): fixed widths, so a column never depends on what was shown before
COLUMNS = (("side", "Side", 4), ("token", "Token", 12), ("size", "Size Ξ", 8),
           ("expires", "Expires", 9), ("verdict", "Verdict", 8), ("ml", "Scam p", 6),
           ("factors", "Sized by / risk", 26), ("age", "Age", 6), ("impact", "Impact", 6),
           ("route", "Route", 20), ("gas", "Gas", 8), ("id", "Id", 10))
WARN_S = 30  # the expiry turns red this many seconds before a proposal lapses


def top_factor(proposal: TradeProposal, size_by: str = "") -> Text:
    """What decided the size (the sizing rule or the cap that bound it), then the highest
    risk factor when it is worth a look (blocking, or scored 0.5 or more)."""
    text = Text(clean(size_by, 16) if size_by else "", style="cyan")
    if not proposal.factors:
        return text if size_by else Text("—", style="dim")
    worst = max(proposal.factors, key=lambda f: (f.blocking, f.score))
    if size_by and not worst.blocking and worst.score < Decimal("0.5"):
        return text
    style = "bold red" if worst.blocking else "yellow" if worst.score >= 0.5 else ""
    if size_by:
        text.append(" · ")
    text.append(f"{clean(worst.name, 14)} {worst.score:.2f}", style=style)
    return text


def expiry(received: float | None, ttl: float | None, now: float | None) -> Text:
    if received is None or ttl is None or now is None:
        return Text("—", style="dim")
    left = received + ttl - now
    if left <= 0:
        return Text("expiring", style="bold red")
    return Text(f"in {age(left)}", style="bold red" if left <= WARN_S else "")


def cells(proposal: TradeProposal, *, now: float | None = None, ttl: float | None = None,
          received: float | None = None, size_by: str = "") -> list[Text]:
    """One proposal's row; ``received``/``ttl``/``now`` (seconds) give its age and expiry."""
    side_style = "bold green" if proposal.side is Side.BUY else "bold magenta"
    return [
        Text(proposal.side.value.upper(), style=side_style),
        safe(proposal.symbol or short_addr(proposal.token), SYMBOL_MAX, style="bold"),
        Text(f"{proposal.quote_value:,.4f}", justify="right"),
        expiry(received, ttl, now),
        verdict_badge(proposal.verdict),
        Text("—" if proposal.ml_score is None else f"{proposal.ml_score:.0%}",
             justify="right"),
        top_factor(proposal, size_by),
        Text("—" if received is None or now is None else age(now - received), style="dim"),
        Text(bps(proposal.price_impact_bps), justify="right"),
        safe(f"{proposal.venue}/{proposal.strategy}" if proposal.strategy else proposal.venue,
             20),
        Text(f"{proposal.gas_estimate:,}", justify="right"),
        safe(proposal.id, 10, style="dim"),
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
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def set_proposals(self, proposals: Iterable[TradeProposal], *, now: float | None = None,
                      ttl: float | None = None, received: dict[str, float] | None = None,
                      size_by: dict[str, str] | None = None) -> None:
        """Show ``proposals``; ``received`` (id -> wall seconds) and ``ttl`` give each its
        age and time to expiry, ``size_by`` (id -> text) what decided its size."""
        keep = self.selected_id
        scrolled = self.scroll_x  # clear() scrolls home; the operator may be reading right
        self.clear()
        received = received or {}
        size_by = size_by or {}
        for proposal in proposals:
            self.add_row(*cells(proposal, now=now, ttl=ttl, received=received.get(proposal.id),
                                size_by=size_by.get(proposal.id, "")), key=proposal.id)
        self.border_subtitle = (f"{self.row_count} pending, expire after {ttl:g} s"
                                if self.row_count and ttl else
                                f"{self.row_count} pending" if self.row_count else "")
        if keep is not None:
            try:
                self.move_cursor(row=self.get_row_index(keep), animate=False)
            except RowDoesNotExist:  # it was decided meanwhile
                self.move_cursor(row=0, animate=False)
        if scrolled:
            self.call_after_refresh(self.scroll_to, x=scrolled, animate=False)
        self._announce()

    def tick(self, now: float, ttl: float | None, received: dict[str, float]) -> None:
        """Ages and times to expiry move on: only those two cells change (no rebuild, so
        the cursor and the scroll stay where the operator put them)."""
        for row_key in list(self.rows):
            pid = str(row_key.value)
            at = received.get(pid)
            self.update_cell(row_key, "expires", expiry(at, ttl, now))
            self.update_cell(row_key, "age", Text("—" if at is None else age(now - at),
                                                 style="dim"))

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
