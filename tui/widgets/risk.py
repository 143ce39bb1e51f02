"""Risk: exposure, drawdown against the breaker, daily loss against the limit, and the
eight-factor breakdown of the proposal selected in the approvals queue."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from claudedex.config import LimitsConfig
from claudedex.domain import TradeProposal
from tui.formatting import count, pct, units
from tui.safe_text import DETAIL_MAX, safe
from tui.state import ConsoleState

BAR = 10


def gauge(value: Decimal, limit: Decimal, text: str | None = None, *,
          pending: Decimal = Decimal(0)) -> Text:
    """``value / limit`` as a bar: green under half, yellow under the limit, red beyond.

    ``pending`` (drawn ``▒``) is what waits for a decision and will count once decided;
    ``text`` replaces the default ``value / limit`` figures.
    """
    ratio = value / limit if limit > 0 else Decimal(0)
    total = (value + pending) / limit if limit > 0 else Decimal(0)
    filled = min(int(ratio * BAR), BAR) if ratio > 0 else 0
    waiting = min(int(total * BAR), BAR) - filled if total > 0 else 0
    style = "green" if total < Decimal("0.5") else "yellow" if total < 1 else "bold red"
    bar = Text("█" * filled, style=style)
    bar.append("▒" * waiting, style=style)
    bar.append("░" * (BAR - filled - waiting), style="dim")
    if text is None:
        bar.append(f" {value:,.2f} / {limit:,.2f}")
    elif text:
        bar.append(f" {text}")
    return bar


def factor_table(proposal: TradeProposal | None) -> Table | Text:
    if proposal is None:
        return Text("no proposal selected", style="dim")
    table = Table.grid(padding=(0, 1))
    table.add_column()
    table.add_column(justify="right")
    table.add_column()
    for factor in proposal.factors:
        style = "bold red" if factor.blocking else "yellow" if factor.score >= Decimal(
            "0.5") else ""
        table.add_row(safe(factor.name, 16, style=style), Text(f"{factor.score:.2f}"),
                      safe(factor.explanation, DETAIL_MAX))
    if not proposal.factors:
        table.add_row(Text("no factors reported", style="dim"), Text(""), Text(""))
    return table


class RiskPane(Static):
    BORDER_TITLE = "Risk"

    def show(self, state: ConsoleState, limits: LimitsConfig,
             proposal: TradeProposal | None) -> None:
        lines: list[Text] = []
        def row(label: str, bar: Text, figures: str) -> None:
            head = Text(f"{label:<13}", style="dim", no_wrap=True, overflow="ellipsis")
            head.append_text(bar)
            lines.append(head)
            # the figures get their own line: cut at the pane's edge, never wrapped
            lines.append(Text(f"  {figures}", no_wrap=True, overflow="ellipsis"))

        exposure = units(state.exposure_quote) or Decimal(0)
        committed = sum((p.quote_value for p in state.proposals.values()
                         if p.side.value == "buy"), Decimal(0))
        row("exposure Ξ", gauge(exposure, limits.daily_cap_quote, pending=committed, text=""),
            f"{exposure:,.4f} / {limits.daily_cap_quote:,.4f}"
            + (f" +{committed:,.4f} pending" if committed else ""))
        opened, waiting = state.open_positions, state.pending_buys
        row("positions", gauge(Decimal(opened), Decimal(limits.max_open_positions),
                               pending=Decimal(waiting), text=""),
            f"{count(opened)} open" + (f" + {count(waiting)} pending" if waiting else "")
            + f" / {count(limits.max_open_positions)} max")
        row("drawdown", gauge(state.drawdown_pct, limits.max_drawdown_pct, text=""),
            f"{pct(state.drawdown_pct)} / {pct(limits.max_drawdown_pct)}")
        loss = max(-(units(state.today_quote) or Decimal(0)), Decimal(0))
        row("daily loss Ξ", gauge(loss, limits.daily_loss_limit_quote, text=""),
            f"{loss:,.4f} / {limits.daily_loss_limit_quote:,.4f}")
        heading = Text("factors", style="bold underline")
        if proposal is not None:
            heading.append(" of ", style="bold")
            heading.append_text(safe(proposal.symbol or proposal.id, 16, style="bold"))
        # the pane's size is set by the layout (app.tcss), not by what it shows
        self.update(Group(*lines, Text(""), heading, factor_table(proposal)), layout=False)
