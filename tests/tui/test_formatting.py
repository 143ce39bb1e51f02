"""Human numbers: prices keep significant digits and never use scientific notation, token
amounts carry thousands separators, percentages a ``%``, times read as ages, chart ticks
as clock time."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tui.formatting import age, ago, amount, clock, clock_ticks, count, pct, price, token_amount


@pytest.mark.parametrize(("value", "shown"), [
    ("1.569e-10", "0.0₉1569"),  # the reported 1.569e-10: nine zeros, then the digits
    ("0.0001569", "0.0001569"),
    ("0.00000123", "0.0₅123"),
    ("0.5", "0.5"),
    ("1234.5678", "1,235"),
    ("12", "12.00"),
    ("-0.000000002", "-0.0₈2"),
])
def test_prices_keep_significant_digits_without_exponents(value: str, shown: str) -> None:
    text = price(Decimal(value))
    assert text == shown
    assert "e" not in text.lower()


def test_token_amounts_are_whole_units_with_separators() -> None:
    assert token_amount(637_469_444_870_000_000_000_000_000, 18) == "637,469,444.87"
    assert token_amount(1_234_567_891, 6) == "1,234.57"
    assert amount(Decimal("0.00123")) == "0.00123"
    assert token_amount(10**18, 2**256 - 1) == "?"  # hostile decimals: no number at all


def test_percentages_counts_and_ages() -> None:
    assert pct(Decimal("-100")) == "-100.0%"
    assert pct(Decimal("15"), 0, sign=True) == "+15%"
    assert count(1, 5) == "1 / 5"  # not "1.00 / 5.00"
    assert age(12) == "12 s" and ago(12) == "12 s ago"
    assert age(200) == "3 min" and age(7_300) == "2 h 01" and age(200_000) == "2 d"


def test_chart_ticks_are_clock_times() -> None:
    stamps = [1_700_000_000.0 + i for i in range(10)]
    positions, labels = clock_ticks(stamps)
    assert positions == [0, 4, 9]  # first, middle, last mark
    assert labels == [clock(stamps[p]) for p in positions]
    assert all(len(label) == 8 and label.count(":") == 2 for label in labels)
    assert labels[0] == time.strftime("%H:%M:%S", time.localtime(stamps[0]))
    assert clock_ticks([]) == ([], [])
