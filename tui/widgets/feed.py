"""New-pair feed: a streaming table of every pair discovery reports, newest at the bottom.

Why not ``DataTable``: any cell update there invalidates every cached cell, so at tens of
ticks a second a 10,000-row table re-renders its whole visible area on every frame. This
widget uses Textual's line API: each visible row is one cached ``Strip`` keyed by the
row's own version, so a tick on one pair re-renders that row only, and rows off screen
cost nothing. Appending is O(1); the cursor follows new rows while it sits on the last one
(like ``tail -f``); move it up and the feed holds still.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from claudedex.domain import Verdict
from tui.formatting import age, bps, eth, verdict_badge
from tui.messages import PairSelected
from tui.safe_text import SYMBOL_MAX, clean, safe, short_addr
from tui.state import PairRow

# key, header, width, right-aligned
COLUMNS: tuple[tuple[str, str, int, bool], ...] = (
    ("age", "Age", 6, False), ("pair", "Pair", 29, False), ("verdict", "Verdict", 9, False),
    ("score", "Scam p", 6, True), ("taxes", "Tax buy/sell", 13, True),
    ("liq", "Liquidity", 12, True),
)
CACHE_MAX = 2_000


def pair_label(row: PairRow) -> Text:
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append_text(safe(row.info.symbol or "?", SYMBOL_MAX, style="bold"))
    label.append(" ")
    label.append(short_addr(row.info.pair), style="dim")
    return label


def row_cells(row: PairRow, now: float) -> dict[str, Text]:
    report, score = row.report, row.score
    taxes = "—"
    if report is not None and (report.buy_tax_bps is not None
                               or report.sell_tax_bps is not None):
        taxes = f"{bps(report.buy_tax_bps)}/{bps(report.sell_tax_bps)}"
    return {
        "age": Text(age(now - row.seen_at), style="dim"),
        "pair": pair_label(row),
        "verdict": verdict_badge(report.verdict if report else None),
        "score": Text("—" if score is None else f"{score.scam_probability:.0%}"),
        "taxes": Text(taxes),
        "liq": Text(f"{eth(row.liquidity_quote, 3)} Ξ"),
    }


def layout(cells: dict[str, Text]) -> Text:
    """Cells into one line of fixed-width columns (cell widths, so wide glyphs fit)."""
    line = Text(" ", no_wrap=True)
    for key, _, width, right in COLUMNS:
        cell = cells[key].copy()
        cell.truncate(width, overflow="ellipsis")
        pad = Text(" " * max(width - cell.cell_len, 0))
        line.append_text(pad + cell if right else cell + pad)
        line.append(" ")
    return line


def matches(row: PairRow, words: tuple[str, ...]) -> bool:
    """Every word must match: a verdict name matches the verdict, anything else a substring
    of the symbol, name, token or pair address."""
    verdict = row.report.verdict.value if row.report else "pending"
    haystack = " ".join((clean(row.info.symbol), clean(row.info.name), row.info.token,
                         row.info.pair)).lower()
    for word in words:
        if word in {v.value for v in Verdict} | {"pending"}:
            if verdict != word:
                return False
        elif word not in haystack:
            return False
    return True


class PairFeed(ScrollView, can_focus=True):
    BORDER_TITLE = "New pairs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "open", "Details", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pair-feed--header", "pair-feed--cursor", "pair-feed--odd"}
    DEFAULT_CSS = """
    PairFeed > .pair-feed--header { text-style: bold; color: $text-accent; }
    PairFeed > .pair-feed--cursor { background: $accent 45%; }
    PairFeed > .pair-feed--odd { background: $boost; }
    """

    class Opened(Message):
        """Enter (or a double click) on a row: the operator wants its details."""

        def __init__(self, pair: str) -> None:
            super().__init__()
            self.pair = pair

    def __init__(self, now: Callable[[], float], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.now = now
        self.words: tuple[str, ...] = ()
        self.cursor_row = 0
        self._rows: dict[str, PairRow] = {}
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._versions: dict[str, int] = {}
        self._cache: dict[tuple[object, ...], Strip] = {}

    # -- data handed down ----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def selected_pair(self) -> str | None:
        return self._keys[self.cursor_row] if self._keys else None

    def cell(self, pair: str, column: str) -> Text:
        """The cell as shown (tests read it): cleaned, capped, never markup."""
        return row_cells(self._rows[pair.lower()], self.now())[column]

    def _bump(self, key: str) -> None:
        self._versions[key] = self._versions.get(key, 0) + 1

    def upsert(self, rows: Iterable[PairRow], now: float | None = None) -> None:
        follow = not self._keys or self.cursor_row >= len(self._keys) - 1
        added = False
        for row in rows:
            key = row.info.pair.lower()
            self._rows[key] = row
            self._bump(key)
            if key not in self._index and matches(row, self.words):
                self._index[key] = len(self._keys)
                self._keys.append(key)
                added = True
        if added:
            self.virtual_size = Size(self._width(), len(self._keys) + 1)
            if follow:
                self.move_cursor(row=len(self._keys) - 1)
        self.refresh()

    def update_liquidity(self, rows: Iterable[PairRow]) -> None:
        visible = False
        top = int(self.scroll_offset.y)
        bottom = top + self.size.height
        for row in rows:
            key = row.info.pair.lower()
            self._bump(key)
            index = self._index.get(key)
            visible = visible or (index is not None and top <= index < bottom)
        if visible:
            self.refresh()

    def set_filter(self, text: str, rows: Iterable[PairRow], now: float | None = None) -> None:
        self.words = tuple(text.lower().split())
        self._keys.clear()
        self._index.clear()
        self.cursor_row = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        # Text, not str: a border title string would be parsed as markup.
        self.border_subtitle = Text(f"filter: {clean(text, 30)}") if self.words else ""
        for row in sorted(rows, key=lambda r: r.seq):
            self._rows[row.info.pair.lower()] = row
        self.virtual_size = Size(self._width(), 1)
        self.upsert(sorted(self._rows.values(), key=lambda r: r.seq))
        if not self._keys:
            self.refresh()

    def refresh_ages(self, rows: object = None, now: float | None = None) -> None:
        self.refresh()  # ages are computed at render; only visible rows re-render

    def _width(self) -> int:
        return 1 + sum(width + 1 for _, _, width, _ in COLUMNS)

    # -- cursor --------------------------------------------------------------------------

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        if not self._keys:
            return
        row = max(0, min(row, len(self._keys) - 1))
        changed = row != self.cursor_row
        self.cursor_row = row
        visible_rows = max(self.size.height - 1, 1)
        top = int(self.scroll_offset.y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + visible_rows:
            self.scroll_to(y=row - visible_rows + 1, animate=False, immediate=True)
        self.refresh()
        if changed or animate:
            self.post_message(PairSelected(self._keys[row]))

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(self.size.height - 2, 1))

    def action_jump(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else len(self._keys) - 1)

    def action_open(self) -> None:
        if self._keys:
            self.post_message(self.Opened(self._keys[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        self.move_cursor(row=int(self.scroll_offset.y) + offset.y - 1)
        if event.chain >= 2:
            self.action_open()

    # -- rendering -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            header = Text(" ", no_wrap=True)
            for _, title, col_width, right in COLUMNS:
                header.append(title.rjust(col_width) if right else title.ljust(col_width))
                header.append(" ")
            style = self.get_component_rich_style("pair-feed--header")
            return self._strip(header, width, base + style)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self._keys):
            return Strip.blank(width, base)
        key = self._keys[index]
        row = self._rows[key]
        is_cursor = index == self.cursor_row
        age_text = age(self.now() - row.seen_at)
        cache_key = (key, self._versions.get(key, 0), width, is_cursor, self.has_focus,
                     age_text, index % 2, self.app.theme)
        strip = self._cache.get(cache_key)
        if strip is None:
            line = layout(row_cells(row, self.now()))
            style = base
            if index % 2:
                style += self.get_component_rich_style("pair-feed--odd")
            if is_cursor:
                style += self.get_component_rich_style("pair-feed--cursor")
            strip = self._strip(line, width, style)
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[cache_key] = strip
        return strip

    def _strip(self, line: Text, width: int, style: Style) -> Strip:
        segments = list(line.render(self.app.console, end=""))
        strip = Strip(Segment.apply_style(segments, style)).adjust_cell_length(width, style)
        return strip.crop(0, width)
