"""Which layout a terminal size gets: the size classes that app.tcss keys on.

Why classes and not fixed sizes: the console must work from 80×24 (a laptop split) to
160×48 (a trading screen). Below 120 columns panes stack instead of sitting side by
side (a side-by-side feed at 48 columns would cut its columns); below 32 rows the log
and the lower panes shrink; at 80×24 the P&L and risk panes collapse into the status
bar (equity, open and pending counts) and stay one key away (``z``, the screens).
"""

from __future__ import annotations

NARROW_BELOW = 120  # columns
SHORT_BELOW = 32  # rows
TINY_BELOW = (100, 28)  # columns, rows: either one


def size_classes(width: int, height: int) -> set[str]:
    """The CSS classes for a ``width`` × ``height`` terminal (cells)."""
    classes: set[str] = set()
    if width < NARROW_BELOW:
        classes.add("-narrow")
    if height < SHORT_BELOW:
        classes.add("-short")
    if width < TINY_BELOW[0] or height < TINY_BELOW[1]:
        classes.add("-tiny")
    return classes
