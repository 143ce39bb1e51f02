"""Untrusted text (token names, symbols, finding details) rendered as inert text.

Why one module: token names are attacker-chosen. A name such as ``[bold red]FREE[/]`` must
not become markup, ``\\x1b]0;pwned\\x07`` must not reach the terminal as an escape sequence,
and a 10,000-character name must not push the console around. Every pane builds its cells
through :func:`safe` (a ``rich.text.Text``, which never parses markup) from :func:`clean`.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

ELLIPSIS = "…"
SYMBOL_MAX = 16
NAME_MAX = 40
DETAIL_MAX = 160

# Bidirectional overrides/isolates ("Trojan Source") and other invisible format characters.
_FORMAT_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _allowed(char: str) -> bool:
    return unicodedata.category(char) not in _FORMAT_CATEGORIES


def clean(value: object, limit: int = NAME_MAX) -> str:
    """Printable text only, at most ``limit`` characters (an ellipsis marks a cut).

    Control characters (C0 including ESC and BEL, DEL, C1), format characters (bidi
    overrides, zero-width) and line separators are dropped; tabs and newlines become one
    space so a name stays on one line.
    """
    text = value if isinstance(value, str) else str(value)
    # Look only at a bounded prefix: a megabyte-long name costs no more than a short one.
    text = text[: limit * 4 + 16]
    out: list[str] = []
    for char in text:
        if char in "\t\n\r":
            char = " "
        elif not _allowed(char):
            continue
        out.append(char)
        if len(out) > limit:
            break
    result = "".join(out).strip()
    if len(result) > limit:
        result = result[: max(limit - 1, 0)] + ELLIPSIS
    return result


def safe(value: object, limit: int = NAME_MAX, style: str = "") -> Text:
    """A ``Text`` that shows ``value`` literally: never markup, never an escape."""
    return Text(clean(value, limit), style=style, no_wrap=True, overflow="ellipsis")


def short_addr(address: str) -> str:
    """``0x1234…abcd`` for display; addresses come from the chain but are cleaned anyway."""
    addr = clean(address, 64)
    if len(addr) <= 12:
        return addr
    return f"{addr[:6]}…{addr[-4:]}"
