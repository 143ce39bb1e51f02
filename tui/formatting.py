"""Number formatting for the console: exact inputs (int wei, Decimal) in, short text out.

Why here: amounts arrive as integers in base units; the panes show them in whole units
with a fixed number of places. Conversion uses ``Decimal`` so nothing is rounded twice.
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from claudedex.domain import Verdict
from claudedex.tokenmeta import safe_units

WEI = Decimal(10) ** 18
GWEI = Decimal(10) ** 9

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
    value = units(amount, decimals)
    if value is None:
        return "—"
    return f"{value:,.{places}f}"


def dec(value: Decimal | None, places: int = 4) -> str:
    return "—" if value is None else f"{value:,.{places}f}"


def price(value: Decimal | None, digits: int = 4) -> str:
    """A per-token price with ``digits`` significant digits: meme-token prices are often
    1e-10 ETH, which a fixed number of decimals would show as zero."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 1:
        return f"{value:,.{digits}f}"
    return f"{value:.{digits - 1}e}"


def signed(value: Decimal, places: int = 4) -> Text:
    style = "green" if value > 0 else "red" if value < 0 else ""
    return Text(f"{value:+,.{places}f}", style=style)


def bps(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value) / 100:.1f}%"


def gwei(wei: int) -> str:
    return f"{Decimal(wei) / GWEI:.2f} gwei"


def verdict_badge(verdict: Verdict | None) -> Text:
    if verdict is None:
        return Text(" …    ", style="dim")
    return Text(f" {verdict.value.upper():<6}", style=VERDICT_STYLE[verdict])


def age(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
