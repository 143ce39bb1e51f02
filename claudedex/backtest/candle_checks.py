"""Checks on a candle file's columns, vectorised: a few numpy passes, no loop per row.

Why here and not in the replay: a fault found mid-replay has already shaped trades; found
here it is one line naming the file and row (:class:`Rows`, counted as read), before
anything ran. Duplicates are found among all rows, not only neighbours: a file holding its
rows twice repeats each date hundreds of rows later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from claudedex.backtest.policy import DataPolicy
from claudedex.errors import UserInputError

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
PRICES = ("open", "high", "low", "close")
NAMES = ("date", *PRICES, "volume")
TOLERANCE_S = 1e-3  # dates closer than a millisecond are the same date


def timeframe_name(seconds: float) -> str:
    """``300`` -> ``5m``; a spacing that is no whole timeframe in seconds (``90s``)."""
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@dataclass(frozen=True, slots=True)
class Rows:
    """Names a file's rows in messages (``x.json: row 7``); a CSV's also by line."""

    file: Path
    header_lines: int = 0

    def at(self, i: int) -> str:
        """The ``i``-th row as read (0-based)."""
        line = f" (line {i + 1 + self.header_lines})" if self.header_lines else ""
        return f"{self.file}: row {i + 1}{line}"


def check_candles(
    ts: Floats, values: Floats, where: Rows, tf: int, tf_source: str, policy: DataPolicy
) -> tuple[Floats, Floats]:
    """``ts``: dates in UTC seconds; ``values``: rows of open, high, low, close, volume.
    Returns them checked, and deduplicated, sorted or gap-filled as ``policy`` allows;
    ``tf_source`` says where the timeframe ``tf`` comes from (``its name says``)."""
    if len(ts) == 0:
        raise UserInputError(f"{where.file}: no candles")
    _check_values(values, where)
    rows: Ints = np.arange(len(ts), dtype=np.int64)  # row numbers as read, for messages
    ts, values, rows = _duplicates(ts, values, rows, where, policy)
    back = np.flatnonzero(np.diff(ts) < 0)
    if len(back):
        if policy.on_unsorted != "sort":
            i = int(back[0]) + 1
            raise UserInputError(f"{where.at(int(rows[i]))}: its date is before the previous "
                                 f"row's (rows out of time order); --on-unsorted sort "
                                 f"orders them")
        order = np.argsort(ts, kind="stable")
        ts, values, rows = ts[order], values[order], rows[order]
        policy.repairs["candles out of time order, sorted"] += len(back)
    return _spacing(ts, values, rows, where, tf, tf_source, policy)


def _check_values(values: Floats, where: Rows) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        i, col = (int(x) for x in np.argwhere(bad)[0])
        what = "missing or not a number" if np.isnan(values[i, col]) else "infinite"
        raise UserInputError(f"{where.at(i)}: {NAMES[col + 1]} is {what}")
    prices, volume = values[:, :4], values[:, 4]
    low = prices <= 0
    if low.any():
        i, col = (int(x) for x in np.argwhere(low)[0])
        raise UserInputError(f"{where.at(i)}: {PRICES[col]} is {prices[i, col]!r}; prices must be "
                             "above zero")
    if (neg := np.flatnonzero(volume < 0)).size:
        i = int(neg[0])
        raise UserInputError(f"{where.at(i)}: volume is {volume[i]!r}; a volume cannot be negative")
    o, h, lo, c = prices.T
    if (inverted := np.flatnonzero(h < lo)).size:
        i = int(inverted[0])
        raise UserInputError(f"{where.at(i)}: high {h[i]!r} is below low {lo[i]!r}")
    for name, col in (("open", o), ("close", c)):
        if (out := np.flatnonzero((col < lo) | (col > h))).size:
            i = int(out[0])
            raise UserInputError(f"{where.at(i)}: {name} {col[i]!r} is outside the candle's range "
                                 f"low {lo[i]!r} .. high {h[i]!r}")


def _duplicates(
    ts: Floats, values: Floats, rows: Ints, where: Rows, policy: DataPolicy
) -> tuple[Floats, Floats, Ints]:
    order = np.argsort(ts, kind="stable")  # equal dates keep file order: first one first
    ordered = ts[order]
    same = np.flatnonzero(np.abs(np.diff(ordered)) < TOLERANCE_S)
    if not len(same):
        return ts, values, rows
    first, repeat = order[same], order[same + 1]
    differ = np.flatnonzero((values[first] != values[repeat]).any(axis=1))
    if len(differ):
        k = int(differ[np.argmin(repeat[differ])])
        raise UserInputError(f"{where.at(int(repeat[k]))}: its date is also row "
                             f"{int(first[k]) + 1}'s, with different prices or volume")
    if policy.on_duplicates != "drop":
        k = int(np.argmin(repeat))
        raise UserInputError(f"{where.at(int(repeat[k]))}: repeats row {int(first[k]) + 1} "
                             f"(the same date and values); --on-duplicates drop skips "
                             f"repeated rows")
    keep = np.ones(len(ts), dtype=bool)
    keep[repeat] = False
    policy.repairs["repeated candles dropped"] += int((~keep).sum())
    return ts[keep], values[keep], rows[keep]


def _spacing(
    ts: Floats, values: Floats, rows: Ints, where: Rows, tf: int, tf_source: str,
    policy: DataPolicy,
) -> tuple[Floats, Floats]:
    """The timeframe the data has is the one its name or ``--timeframe`` says; gaps."""
    if len(ts) < 2:
        return ts, values
    diffs = np.diff(ts)
    steps, counts = np.unique(np.round(diffs, 3), return_counts=True)
    step = float(steps[np.argmax(counts)])
    if abs(step - tf) > TOLERANCE_S:
        raise UserInputError(f"{where.file}: most candles are {timeframe_name(step)} apart, but "
                             f"{tf_source} {timeframe_name(tf)}")
    ratio = diffs / tf
    whole = np.round(ratio)
    if (off := np.flatnonzero(np.abs(ratio - whole) * tf > TOLERANCE_S)).size:
        i = int(off[0]) + 1
        after = timeframe_name(float(diffs[i - 1]))
        raise UserInputError(f"{where.at(int(rows[i]))}: starts {after} after the previous "
                             f"candle, not a whole number of {timeframe_name(tf)} candles")
    missing = whole.astype(np.int64) - 1
    if not missing.any():
        return ts, values
    if policy.on_gaps == "ignore":
        policy.repairs["gaps replayed as they are"] += int((missing > 0).sum())
        return ts, values
    if policy.on_gaps != "fill":
        i = int(np.flatnonzero(missing)[0]) + 1
        raise UserInputError(f"{where.at(int(rows[i]))}: {int(missing[i - 1])} candles missing "
                             f"before it (a {timeframe_name(float(diffs[i - 1]))} gap); "
                             f"--on-gaps fill|ignore")
    policy.repairs["missing candles filled flat"] += int(missing.sum())
    return _fill(ts, values, whole.astype(np.int64), tf)


def _fill(ts: Floats, values: Floats, steps: Ints, tf: int) -> tuple[Floats, Floats]:
    """Missing candles become flat ones at the previous close, with no volume."""
    pos = np.concatenate(([0], np.cumsum(steps)))  # each row's slot in the full series
    slots = np.arange(int(pos[-1]) + 1, dtype=np.int64)
    src = np.searchsorted(pos, slots, side="right") - 1  # the row at or before each slot
    own = pos[src] == slots
    close = values[src, 3]
    flat = np.column_stack([close, close, close, close, np.zeros(len(slots))])
    out_values = np.where(own[:, None], values[src], flat)
    out_ts = np.where(own, ts[src], ts[src] + (slots - pos[src]) * float(tf))
    return out_ts, out_values
