"""New-pair feed: a streaming table of every pair discovery reports, newest at the top.

Why not ``DataTable``: any cell update there invalidates every cached cell, so at tens of
ticks a second a 10,000-row table re-renders its whole visible area on every frame. This
widget uses Textual's line API: each visible row is one cached ``Strip`` keyed by the
row's own version, so a tick on one pair re-renders that row only, and rows off screen
cost nothing. Rows are stored in arrival order (appending is O(1)) and drawn newest first.
While the cursor sits on the top row the feed follows new pairs; scrolled down, it holds
still and its title counts the pairs that arrived above ("3 new ↑ home").

Why columns drop instead of being cut: on a narrow terminal a half-shown column reads as a
wrong number. Columns are ranked (pair and verdict first); those that do not fit the
width are left out whole, and the header says which are hidden.
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

from claudedex.domain import Severity, Verdict
from tui.formatting import age, bps, eth, verdict_badge
from tui.messages import PairSelected
from tui.safe_text import SYMBOL_MAX, clean, safe, short_addr
from tui.state import PairRow

# key, header, width, right-aligned (display order)
COLUMNS: tuple[tuple[str, str, int, bool], ...] = (
    ("age", "Age", 6, False), ("pair", "Pair", 28, False), ("venue", "Venue", 9, False),
    ("verdict", "Verdict", 9, False), ("score", "Scam p", 9, True),
    ("taxes", "Tax buy/sell", 13, True), ("liq", "Liquidity", 10, True),
)
# which columns stay when the pane is narrow, most important first
PRIORITY = ("pair", "verdict", "taxes", "liq", "venue", "score", "age")
CACHE_MAX = 2_000
ML_CUTOFF_BLOCKS = 20  # the scorer waits this many blocks after creation (ml.features)
CANNOT_SELL_CODES = ("HONEYPOT", "CANNOT_SELL", "SELL_REVERTS", "SELL_COOLDOWN",
                     "MAX_SELL_TRAP", "GAS_TRAP")


def pair_label(row: PairRow) -> Text:
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append_text(safe(row.info.symbol or "?", SYMBOL_MAX, style="bold"))
    label.append(" ")
    label.append(short_addr(row.info.pair), style="dim")
    return label


def cannot_sell(row: PairRow) -> bool:
    """Safety found that a holder cannot sell (a honeypot or one of its cousins), or the
    sell tax takes everything."""
    report = row.report
    if report is None:
        return False
    if report.sell_tax_bps is not None and report.sell_tax_bps >= 10_000:
        return True
    return any(f.severity is Severity.CRITICAL
               and any(code in f.code.upper() for code in CANNOT_SELL_CODES)
               for f in report.findings)


def ml_cell(row: PairRow, ml_off: str = "", block: int = 0) -> Text:
    """The scam probability, or in a word why there is none yet: scoring is off, safety
    has not reported yet (ML scores after it), or the cut-off block is still ahead (the
    model scores what the chain showed ``ML_CUTOFF_BLOCKS`` after the pair's creation)."""
    if row.score is not None:
        return Text(f"{row.score.scam_probability:.0%}")
    if ml_off:
        return Text("ML off", style="dim")
    if row.report is None:
        return Text("no report", style="dim")
    cutoff = row.info.block_number + ML_CUTOFF_BLOCKS
    if block and row.info.block_number and block < cutoff:
        return Text(f"in {cutoff - block} blk", style="dim")
    return Text("scoring", style="dim")


def taxes_cell(row: PairRow) -> Text:
    if cannot_sell(row):
        return Text("cannot sell", style="bold red")
    report = row.report
    if report is None or (report.buy_tax_bps is None and report.sell_tax_bps is None):
        return Text("—")
    return Text(f"{bps(report.buy_tax_bps)}/{bps(report.sell_tax_bps)}")


def row_cells(row: PairRow, now: float, ml_off: str = "", block: int = 0) -> dict[str, Text]:
    report = row.report
    return {
        "age": Text(age(now - row.seen_at), style="dim"),
        "pair": pair_label(row),
        "venue": safe(row.info.venue or "?", 10),
        "verdict": verdict_badge(report.verdict if report else None),
        "score": ml_cell(row, ml_off, block),
        "taxes": taxes_cell(row),
        "liq": Text("—" if row.liquidity_quote is None
                    else f"{eth(row.liquidity_quote, 2)} Ξ"),
    }


def fitting_columns(width: int) -> tuple[tuple[str, str, int, bool], ...]:
    """The columns that fit ``width`` cells whole, in display order, by :data:`PRIORITY`."""
    keep: set[str] = set()
    used = 1
    for key in PRIORITY:
        col_width = next(w for k, _, w, _ in COLUMNS if k == key)
        if used + col_width + 1 <= width or not keep:
            keep.add(key)
            used += col_width + 1
    return tuple(c for c in COLUMNS if c[0] in keep)


def layout(cells: dict[str, Text],
           columns: tuple[tuple[str, str, int, bool], ...] = COLUMNS) -> Text:
    """Cells into one line of fixed-width columns (cell widths, so wide glyphs fit)."""
    line = Text(" ", no_wrap=True)
    for key, _, width, right in columns:
        cell = cells[key].copy()
        cell.truncate(width, overflow="ellipsis")
        pad = Text(" " * max(width - cell.cell_len, 0))
        line.append_text(pad + cell if right else cell + pad)
        line.append(" ")
    return line


def matches(row: PairRow, words: tuple[str, ...]) -> bool:
    """Every word must match: a verdict name matches the verdict, anything else a substring
    of the symbol, name, venue, token or pair address."""
    verdict = row.report.verdict.value if row.report else "pending"
    haystack = " ".join((clean(row.info.symbol), clean(row.info.name), clean(row.info.venue),
                         row.info.token, row.info.pair)).lower()
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
        Binding("home", "jump(0)", "Newest", show=False),
        Binding("end", "jump(-1)", "Oldest", show=False),
        Binding("enter", "open", "Details"),
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
        self.filter_text = ""
        self.ml_off = ""  # why ML scoring is off, when it is (shown instead of a score)
        self.block = 0  # the chain's head: an unscored row says how far its cut-off is
        self.cursor_row = 0  # display row: 0 is the newest pair
        self.unseen = 0  # pairs that arrived above while the operator looked further down
        self._rows: dict[str, PairRow] = {}
        self._keys: list[str] = []  # arrival order; drawn reversed
        self._index: dict[str, int] = {}
        self._versions: dict[str, int] = {}
        self._cache: dict[tuple[object, ...], Strip] = {}

    # -- data handed down ----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def _key_at(self, display: int) -> str:
        return self._keys[len(self._keys) - 1 - display]

    def display_row(self, pair: str) -> int | None:
        """Where ``pair`` is drawn (0 = top), or None when filtered out or unknown."""
        index = self._index.get(pair.lower())
        return None if index is None else len(self._keys) - 1 - index

    @property
    def selected_pair(self) -> str | None:
        return self._key_at(self.cursor_row) if self._keys else None

    def cell(self, pair: str, column: str) -> Text:
        """The cell as shown (tests read it): cleaned, capped, never markup."""
        return row_cells(self._rows[pair.lower()], self.now(), self.ml_off,
                         self.block)[column]

    def _bump(self, key: str) -> None:
        self._versions[key] = self._versions.get(key, 0) + 1

    def upsert(self, rows: Iterable[PairRow], now: float | None = None) -> None:
        follow = self.cursor_row == 0 and int(self.scroll_offset.y) == 0
        added = 0
        for row in rows:
            key = row.info.pair.lower()
            self._rows[key] = row
            self._bump(key)
            if key not in self._index and matches(row, self.words):
                self._index[key] = len(self._keys)
                self._keys.append(key)
                added += 1
        if added:
            self.virtual_size = Size(self._width(), len(self._keys) + 1)
            if not follow and len(self._keys) > added:
                # hold still: the rows on screen moved down by ``added``; follow them
                self.unseen += added
                self.cursor_row += added
                self.scroll_to(y=int(self.scroll_offset.y) + added, animate=False,
                               immediate=True)
            self._title()
        self.refresh()

    def update_liquidity(self, rows: Iterable[PairRow]) -> None:
        visible = False
        top = int(self.scroll_offset.y)
        bottom = top + self.size.height
        for row in rows:
            key = row.info.pair.lower()
            self._bump(key)
            display = self.display_row(key)
            visible = visible or (display is not None and top <= display < bottom)
        if visible:
            self.refresh()

    def set_filter(self, text: str, rows: Iterable[PairRow], now: float | None = None) -> None:
        self.words = tuple(text.lower().split())
        self.filter_text = text if self.words else ""
        self._keys.clear()
        self._index.clear()
        self.cursor_row = 0
        self.unseen = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        for row in rows:
            self._rows[row.info.pair.lower()] = row
        self.virtual_size = Size(self._width(), 1)
        self.upsert(sorted(self._rows.values(), key=lambda r: r.seq))
        self._title()
        self.refresh()

    def _title(self) -> None:
        """Title: the count, the active filter; subtitle: how many new pairs are above."""
        # Text, not str: a border title string would be parsed as markup.
        title = Text(f"New pairs ({len(self._keys):,}")
        if self.words:
            title.append(f" of {len(self._rows):,}) filter: ")
            title.append(clean(self.filter_text, 30), style="bold")
        else:
            title.append(")")
        self.border_title = title
        self.border_subtitle = (Text(f"{self.unseen:,} new ↑ home", style="bold")
                                if self.unseen else "")

    def refresh_ages(self, rows: object = None, now: float | None = None) -> None:
        self.refresh()  # ages are computed at render; only visible rows re-render

    def _width(self) -> int:
        return 1  # columns are fitted to the width (never scrolled sideways)

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
        if row == 0 and self.unseen:
            self.unseen = 0
            self._title()
        self.refresh()
        if changed or animate:
            self.post_message(PairSelected(self._key_at(row)))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if int(new_value) == 0 and self.unseen:
            self.unseen = 0
            self._title()

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(self.size.height - 2, 1))

    def action_jump(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else len(self._keys) - 1)

    def action_open(self) -> None:
        if self._keys:
            self.post_message(self.Opened(self._key_at(self.cursor_row)))

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
        columns = fitting_columns(width - self.scrollbar_gutter.width)  # whole columns only
        if y == 0:
            header = Text(" ", no_wrap=True)
            for _, title, col_width, right in columns:
                header.append(title.rjust(col_width) if right else title.ljust(col_width))
                header.append(" ")
            hidden = len(COLUMNS) - len(columns)
            hint = f"+{hidden} cols"
            if hidden and header.cell_len + len(hint) <= width - self.scrollbar_gutter.width:
                header.append(hint, style="dim")  # columns left out whole, not cut
            style = self.get_component_rich_style("pair-feed--header")
            return self._strip(header, width, base + style)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self._keys):
            return Strip.blank(width, base)
        key = self._key_at(index)
        row = self._rows[key]
        is_cursor = index == self.cursor_row
        age_text = age(self.now() - row.seen_at)
        cache_key = (key, self._versions.get(key, 0), width, is_cursor, self.has_focus,
                     age_text, index % 2, self.app.theme, self.ml_off,
                     self.block if row.score is None else 0)
        strip = self._cache.get(cache_key)
        if strip is None:
            line = layout(row_cells(row, self.now(), self.ml_off, self.block), columns)
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
