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
from tui.formatting import units
from tui.safe_text import DETAIL_MAX, safe
from tui.state import ConsoleState

BAR = 10


def gauge(value: Decimal, limit: Decimal) -> Text:
    """``value / limit`` as a bar: green under half, yellow under the limit, red beyond."""
    ratio = value / limit if limit > 0 else Decimal(0)
    filled = min(int(ratio * BAR), BAR) if ratio > 0 else 0
    style = "green" if ratio < Decimal("0.5") else "yellow" if ratio < 1 else "bold red"
    text = Text("█" * filled, style=style)
    text.append("░" * (BAR - filled), style="dim")
    text.append(f" {value:,.2f} / {limit:,.2f}")
    return text


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
        gauges = Table.grid(padding=(0, 1))
        gauges.add_column(style="dim")
        gauges.add_column()
        exposure = units(state.exposure_quote) or Decimal(0)
        open_positions = sum(1 for p in state.positions.values() if p.amount > 0)
        gauges.add_row("exposure Ξ", gauge(exposure, limits.daily_cap_quote))
        gauges.add_row("positions", gauge(Decimal(open_positions),
                                          Decimal(limits.max_open_positions)))
        gauges.add_row("drawdown %", gauge(state.drawdown_pct, limits.max_drawdown_pct))
        loss = max(-(units(state.today_quote) or Decimal(0)), Decimal(0))
        gauges.add_row("daily loss Ξ", gauge(loss, limits.daily_loss_limit_quote))
        heading = Text("factors", style="bold underline")
        if proposal is not None:
            heading.append(" of ", style="bold")
            heading.append_text(safe(proposal.symbol or proposal.id, 16, style="bold"))
        self.update(Group(gauges, Text(""), heading, factor_table(proposal)))
