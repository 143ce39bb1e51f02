"""Untrusted token text renders literally: no markup, no escapes, bounded length."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tui.safe_text import NAME_MAX, SYMBOL_MAX, clean, safe, short_addr


def render(text: Text) -> str:
    console = Console(width=200, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(text)
    return capture.get().rstrip("\n")


def test_markup_stays_literal() -> None:
    shown = render(safe("[bold red]FREE[/]"))
    assert shown == "[bold red]FREE[/]"


def test_terminal_escapes_are_removed() -> None:
    cleaned = clean("\x1b]0;pwned\x07EVIL\x1b[2J\x9b31m")
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned
    assert cleaned == "]0;pwnedEVIL[2J31m"


def test_bidi_and_zero_width_are_removed() -> None:
    assert clean("ab\u202ecd\u200bef\u2066") == "abcdef"


def test_newlines_and_tabs_become_spaces() -> None:
    assert clean("a\nb\tc\r") == "a b c"


def test_long_names_are_capped_with_an_ellipsis() -> None:
    name = "L" * 10_000
    assert len(clean(name)) == NAME_MAX
    assert clean(name).endswith("…")
    assert len(safe(name, SYMBOL_MAX).plain) == SYMBOL_MAX


def test_short_names_are_untouched() -> None:
    assert clean("PEPE") == "PEPE"
    assert clean("Ünïcødé 🐸") == "Ünïcødé 🐸"


def test_short_addr() -> None:
    assert short_addr("0x" + "ab" * 20) == "0xabab…abab"
