"""Pair detail: every safety finding with its evidence, the ML score and why, and charts.

The screen holds a reference to the pair's row; the app calls :meth:`DetailScreen.show`
again when new ticks or reports for that pair arrive. No I/O happens here.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from claudedex.domain import Severity
from tui.formatting import bps, clock_ticks, eth, verdict_badge
from tui.ml_panel import ml_section
from tui.safe_text import DETAIL_MAX, NAME_MAX, SYMBOL_MAX, clean, safe
from tui.state import PairRow
from tui.widgets.plot import CachedPlot

SEVERITY_STYLE = {Severity.INFO: "dim", Severity.LOW: "", Severity.MEDIUM: "yellow",
                  Severity.HIGH: "bold red", Severity.CRITICAL: "bold white on red"}


def summary(row: PairRow) -> Group:
    info = row.info
    head = Text()
    head.append_text(safe(info.symbol or "?", SYMBOL_MAX, style="bold"))
    head.append("  ")
    head.append_text(safe(info.name, NAME_MAX))
    head.append("  ")
    head.append_text(verdict_badge(row.report.verdict if row.report else None))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    # Rich parses plain str table cells as markup: every value goes in as Text.
    facts.add_row("pair", Text(clean(info.pair, 64)))
    facts.add_row("token", Text(clean(info.token, 64)))
    facts.add_row("venue / block", Text(f"{clean(info.venue, 20)} / {info.block_number}"))
    if row.report is not None:
        facts.add_row("tax buy / sell", Text(f"{bps(row.report.buy_tax_bps)} / "
                                             f"{bps(row.report.sell_tax_bps)}"))
    facts.add_row("liquidity", Text(f"{eth(row.liquidity_quote)} Ξ"))
    return Group(head, facts)


def findings(row: PairRow) -> Table | Text:
    if row.report is None:
        return Text("no safety report yet", style="dim")
    table = Table(expand=True, show_lines=False, box=None, padding=(0, 1))
    table.add_column("severity", no_wrap=True)
    table.add_column("finding", no_wrap=True)
    table.add_column("detail and evidence", ratio=1)
    for finding in row.report.findings:
        body = Text()
        body.append_text(safe(finding.detail, DETAIL_MAX))
        for key, value in finding.evidence.items():
            body.append("\n  ")
            body.append(clean(key, 24), style="dim")
            body.append(" = ")
            body.append(clean(value, DETAIL_MAX))
        table.add_row(Text(finding.severity.value, style=SEVERITY_STYLE[finding.severity]),
                      safe(finding.code, 28, style="bold"), body)
    for warning in row.warnings[-5:]:
        table.add_row(Text("mempool", style="bold yellow"), Text("early warning"),
                      safe(warning, DETAIL_MAX))
    return table


class DetailScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,d", "close", "Close")]

    def __init__(self, row: PairRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="detail-summary")
            yield Static(id="detail-ml")
            yield Static(id="detail-findings")
            with Horizontal(id="detail-charts"):
                yield CachedPlot(id="detail-price")
                yield CachedPlot(id="detail-volume")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        self.query_one("#detail-summary", Static).update(summary(self.row))
        self.query_one("#detail-ml", Static).update(ml_section(self.row.score))
        self.query_one("#detail-findings", Static).update(findings(self.row))
        prices = list(self.row.prices)  # floats: chart only
        volumes = list(self.row.volumes)
        price = self.query_one("#detail-price", CachedPlot)
        price.plt.clear_data()
        price.plt.clear_figure()
        price.plt.title("price (Ξ per token)")
        stamps = list(self.row.stamps)
        positions, labels = clock_ticks(stamps, 3)
        ticks = [float(p) for p in positions]
        if prices:
            price.plt.plot(list(range(len(prices))), prices, marker="braille")
        price.plt.xticks(ticks, labels)  # clock time of the ticks, not their index
        price.changed()
        volume = self.query_one("#detail-volume", CachedPlot)
        volume.plt.clear_data()
        volume.plt.clear_figure()
        volume.plt.title("volume per tick (Ξ)")
        if volumes:
            volume.plt.bar(list(range(len(volumes))), volumes)
        volume.plt.xticks(ticks, labels)
        volume.changed()

    def action_close(self) -> None:
        self.dismiss(None)
