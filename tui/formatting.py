"""Number and time formatting for the console: exact inputs (int base units, Decimal) in,
short human text out.

Why one module: an operator reads sizes, prices, percentages and times in every pane; each
must read the same way everywhere. Amounts arrive as integers in base units and are scaled
with ``Decimal`` (nothing is rounded twice); prices keep their significant digits and are
never shown in scientific notation (a meme token at 1.5e-10 ETH reads ``0.0₉15``: nine
zeros after the point, then the digits); percentages carry ``%``; times are ages.
"""

from __future__ import annotations

import time
from decimal import ROUND_HALF_EVEN, Decimal

from rich.text import Text

from claudedex.domain import Verdict
from claudedex.tokenmeta import safe_units

WEI = Decimal(10) ** 18
GWEI = Decimal(10) ** 9
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
ZEROS_BEFORE_SUBSCRIPT = 4  # 0.0000123 still reads plainly; 0.00000123 becomes 0.0₅123

VERDICT_STYLE = {
    Verdict.SAFE: "bold black on green",
    Verdict.RISKY: "bold black on yellow",
    Verdict.SCAM: "bold white on red",
    Verdict.UNKNOWN: "bold white on grey37",
}


def units(amount: int | None, decimals: int = 18) -> Decimal | None:
    """Whole units; ``None`` for no amount or decimals outside 0-36 (a hostile token's)."""
    if amount is None:
        return None
    return safe_units(amount, decimals)


def eth(amount: int | None, places: int = 4, decimals: int = 18) -> str:
    """Base units as whole units with thousands separators and ``places`` decimals."""
    value = units(amount, decimals)
    if value is None:
        return "—"
    return f"{value:,.{places}f}"


def dec(value: Decimal | None, places: int = 4) -> str:
    return "—" if value is None else f"{value:,.{places}f}"


def _plain(value: Decimal) -> str:
    """A Decimal as positional text (``format(..., 'f')`` never uses an exponent)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def price(value: Decimal | None, digits: int = 4) -> str:
    """A per-token price with ``digits`` significant digits, never in scientific notation.

    ``>= 1``: thousands separators and ``digits`` decimals at most (``1,234.5``);
    ``< 1``: the significant digits after the leading zeros (``0.0001569``); with more than
    four leading zeros their count is written as a subscript (``0.0₉1569``) so a
    1e-10 price stays short and its magnitude stays readable.
    """
    if value is None:
        return "—"
    if not value.is_finite():
        return "?"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1:
        places = max(digits - len(str(int(value))), 0)
        return f"{sign}{value:,.{places}f}"
    rounded = value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1),
                             rounding=ROUND_HALF_EVEN)
    zeros = -rounded.adjusted() - 1  # zeros between the point and the first digit
    text = _plain(rounded)
    if zeros <= ZEROS_BEFORE_SUBSCRIPT:
        return sign + text
    significant = text[2 + zeros:]
    return f"{sign}0.0{str(zeros).translate(SUBSCRIPT)}{significant}"


def amount(value: Decimal | None) -> str:
    """A token amount in whole units: separators, two decimals from 1 up, significant
    digits below 1 (``1,234,567.89``, ``0.0012``)."""
    if value is None:
        return "?"
    if abs(value) >= 1 or value == 0:
        return f"{value:,.2f}"
    return price(value)


def token_amount(raw: int | None, decimals: int) -> str:
    """Base units of a token (its ``decimals``) as :func:`amount` text."""
    return amount(units(raw, decimals))


def pct(value: Decimal | None, places: int = 1, sign: bool = False) -> str:
    """A percentage with ``%`` (``12.5%``; ``+12.5%`` with ``sign``)."""
    if value is None:
        return "—"
    return f"{value:{'+' if sign else ''},.{places}f}%"


def signed(value: Decimal, places: int = 4, suffix: str = "") -> Text:
    """A coloured signed figure: green above zero, red below (``+0.0300 Ξ``)."""
    style = "green" if value > 0 else "red" if value < 0 else ""
    return Text(f"{value:+,.{places}f}{suffix}", style=style)


def bps(value: int | None) -> str:
    """Basis points as a percentage (``1500`` → ``15.0%``)."""
    if value is None:
        return "—"
    return f"{Decimal(value) / 100:.1f}%"


def gwei(wei: int) -> str:
    return f"{Decimal(wei) / GWEI:.2f} gwei"


def count(value: int, limit: int | None = None) -> str:
    """Counts are whole numbers: ``3`` or ``3 / 5``."""
    return f"{value:,}" if limit is None else f"{value:,} / {limit:,}"


def verdict_badge(verdict: Verdict | None) -> Text:
    if verdict is None:
        return Text(" …    ", style="dim")
    return Text(f" {verdict.value.upper():<6}", style=VERDICT_STYLE[verdict])


def age(seconds: float) -> str:
    """A duration, short: ``12 s``, ``3 min``, ``2 h 05``, ``3 d``."""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86_400:
        return f"{seconds // 3600} h {(seconds % 3600) // 60:02d}"
    return f"{seconds // 86_400} d"


def ago(seconds: float) -> str:
    """How long ago: ``12 s ago``."""
    return f"{age(seconds)} ago"


def clock(ts: float) -> str:
    """Wall time of day in the local zone (``14:03:27``), for logs and chart axes."""
    return time.strftime("%H:%M:%S", time.localtime(ts))


def clock_ticks(stamps: list[float], n: int = 3) -> tuple[list[int], list[str]]:
    """Up to ``n`` x-axis positions (indexes into ``stamps``) labelled with clock time."""
    if not stamps:
        return [], []
    if len(stamps) == 1:
        return [0], [clock(stamps[0])]
    n = max(n, 2)
    step = (len(stamps) - 1) / (n - 1)
    positions = sorted({round(i * step) for i in range(n)})
    return positions, [clock(stamps[p]) for p in positions]
