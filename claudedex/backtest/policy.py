"""What a backtest does with faulty data: refuse it (the default), or what the operator chose.

Every fault in a candle file or a swap history stops the backtest with one line naming the
file, the row and the problem, unless one of these choices covers it. Nothing is repaired
silently: a duplicated candle once turned a -0.30 % return into +1.05 %.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, get_args

from claudedex.errors import UserInputError

OnDuplicates = Literal["error", "drop"]
OnUnsorted = Literal["error", "sort"]
OnGaps = Literal["error", "fill", "ignore"]


@dataclass(frozen=True, slots=True)
class DataPolicy:
    """``drop``: skip rows identical to an earlier one (same date and values; rows that
    share a date but differ are always refused). ``sort``: order rows by time (stable).
    ``fill``: missing candles become flat ones at the previous close with no volume
    (Freqtrade's fill); ``ignore``: replay the gap as it is. Gaps concern candles only."""

    on_duplicates: OnDuplicates = "error"
    on_unsorted: OnUnsorted = "error"
    on_gaps: OnGaps = "error"
    # what the chosen repairs changed, by kind: the report shows each count
    repairs: Counter[str] = field(default_factory=Counter, compare=False, hash=False)

    @classmethod
    def from_flags(cls, on_duplicates: str, on_unsorted: str, on_gaps: str) -> DataPolicy:
        """From command-line words; an unknown one is one line naming the flag."""
        for flag, value, kind in (("--on-duplicates", on_duplicates, OnDuplicates),
                                  ("--on-unsorted", on_unsorted, OnUnsorted),
                                  ("--on-gaps", on_gaps, OnGaps)):
            if value not in get_args(kind):
                raise UserInputError(f"{flag} {value!r}: expected one of "
                                     f"{', '.join(get_args(kind))}")
        return cls(on_duplicates, on_unsorted, on_gaps)  # type: ignore[arg-type]  # checked


STRICT = DataPolicy()
