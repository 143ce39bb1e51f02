"""Before a candle backtest: a vectorised strategy's columns must not read the future.

Why: a vectorised strategy computes its columns once over the whole file
(:func:`claudedex.backtest.fastpath.series_tables`), and the replay reads row ``i`` when
candle ``i`` has closed. A column built with ``frame["close"].shift(-1)``, a centred
rolling window or a normalisation by the whole file's maximum already holds later
candles in row ``i``: the backtest trades on prices it could not have known, and looks
profitable. Live, the same strategy sees only the candles so far, so it makes other trades.

How (Freqtrade's ``lookahead-analysis``, made cheap enough to run on every backtest): the
columns are computed again, by a fresh strategy, over a few prefixes of each series (the
candles up to a cut point) and compared with the whole file's columns on the prefix's
rows. A column that uses no row after its own gives the same value with or without the
later candles; the first row that differs is named. Cuts: a few shares of the series
(:data:`CUTS`: a whole-file statistic shows early), and, as Freqtrade does, right after
the first rows where ``enter`` or ``exit`` is true (a boolean that peeks at the next candle
changes only where it fires). The prefixes hold at most about 1.4 times the file's
candles together, so the check costs one or two more passes of ``indicators``. It cannot
prove a strategy causal (a leak that changes no value at these cuts passes).

The same pass refuses columns the replay cannot read (not one value per candle, no
``enter``, an ``enter`` or ``exit`` that is not booleans or numbers) and turns a
strategy file's exception in ``indicators`` into one line, before anything ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from claudedex.backtest.fastpath import ENTER, EXIT, strategy_columns
from claudedex.errors import UserInputError
from claudedex.market.candles import Candle, candle_array
from claudedex.strategy.base import Strategy, rows_frame

CUTS = (0.0625, 0.125, 0.25)  # prefix lengths, as shares of the series
SIGNAL_CUTS = 6  # prefixes ending at the first rows where enter or exit is true ...
SIGNAL_BUDGET = 1.0  # ... holding at most this share of the series' candles together
MIN_PREFIX = 2  # a prefix of fewer candles shows nothing
RTOL, ATOL = 1e-9, 1e-12  # float columns: the same value, up to summation order
SKIP_FLAG = "--no-lookahead-check"


@dataclass(frozen=True, slots=True)
class Leak:
    """The first value that changed when the candles after ``cut`` were left out."""

    series: str
    column: str
    row: int  # 0-based row of the series
    ts: float  # that candle's open time, UTC seconds
    cut: int  # the prefix's length in candles
    full: Any  # the value over the whole file
    prefix: Any  # the value over the prefix

    def message(self, strategy: str) -> str:
        """One line naming the column, the row and both values."""
        when = datetime.fromtimestamp(self.ts, UTC).strftime("%Y-%m-%d %H:%M")
        return (f"strategy {strategy}: indicators() reads the future: column "
                f"'{self.column}' of {self.series} at row {self.row + 1} ({when} UTC) is "
                f"{_show(self.full)} over the whole file but {_show(self.prefix)} over its "
                f"first {self.cut} candles (a value may use no later candle); "
                f"{SKIP_FLAG} skips this check")


def cut_points(n: int, cuts: Sequence[float] = CUTS) -> list[int]:
    """Prefix lengths for a series of ``n`` candles: distinct, in 2..n-1, ascending."""
    return sorted({k for share in cuts if MIN_PREFIX <= (k := int(n * share)) < n})


def signal_cuts(full: Mapping[str, np.ndarray], n: int, taken: Sequence[int],
                budget: float = SIGNAL_BUDGET, most: int = SIGNAL_CUTS) -> list[int]:
    """Prefixes ending at the first rows whose ``enter`` or ``exit`` is true (Freqtrade's
    way: a leak matters where the strategy acts, and a boolean column that reads the next
    candle changes only there), ascending, while their lengths stay within ``budget``
    shares of ``n``; ``taken`` are the other cuts' lengths (not repeated)."""
    fired = [np.flatnonzero(np.asarray(full[k], dtype=bool)) for k in (ENTER, EXIT) if k in full]
    rows = np.unique(np.concatenate(fired)) if fired else np.zeros(0, dtype=np.int64)
    out: list[int] = []
    left = budget * n
    for row in rows.astype(np.int64).tolist():
        k = row + 1
        if len(out) >= most or k > left:
            break
        if MIN_PREFIX <= k < n and k not in taken:
            out.append(k)
            left -= k
    return out


def find_leak(make: Callable[[], Strategy], series: Mapping[str, Sequence[Candle]],
              interval_s: float, cuts: Sequence[float] = CUTS) -> Leak | None:
    """The first leak over ``series`` (name -> candles, oldest first), or None.

    ``make`` returns a fresh strategy each call (a strategy may keep state between calls
    of ``indicators``). Raises ValueError for columns the replay cannot read, and lets an
    exception of ``indicators`` itself through (see :func:`check_lookahead`).
    """
    for name, candles in series.items():
        rows = candle_array(candles)  # once: each prefix's frame is made from its first rows
        full = _columns(make(), name, rows, interval_s)
        shares = cut_points(len(candles), cuts)
        for k in sorted([*shares, *signal_cuts(full, len(candles), shares)]):
            part = _columns(make(), name, rows[:k], interval_s)
            for column in sorted(full):
                if column not in part:
                    raise ValueError(f"column '{column}' is given over the whole file but "
                                     f"not over its first {k} candles")
                row = _first_difference(full[column][:k], part[column])
                if row is not None:
                    return Leak(name, column, row, candles[row].ts, k,
                                full[column][row], part[column][row])
    return None


def check_lookahead(make: Callable[[], Strategy], series: Mapping[str, Sequence[Candle]],
                    interval_s: float, *, user_code: bool,
                    cuts: Sequence[float] = CUTS) -> None:
    """Refuse (UserInputError, one line) a strategy whose columns read the future or that
    the replay cannot read. Only for vectorised strategies; others pass untouched.

    ``user_code``: the strategy comes from the operator's file, so an exception in its
    ``indicators`` is their input (one line, exit 2); a built-in's is a bug and propagates.
    """
    probe = make()
    if not probe.vectorised:
        return
    try:
        leak = find_leak(make, series, interval_s, cuts)
    except UserInputError:
        raise
    except Exception as exc:
        if not user_code:
            raise  # a built-in strategy's fault is a bug: its traceback stays visible
        detail = " ".join(str(exc).removeprefix(f"strategy {probe.name}: ").split())[:300]
        raise UserInputError(f"strategy {probe.name}: indicators() failed: "
                             f"{type(exc).__name__}: {detail}") from None
    if leak is not None:
        raise UserInputError(leak.message(probe.name))


def _columns(strategy: Strategy, name: str, rows: np.ndarray,
             interval_s: float) -> dict[str, np.ndarray]:
    """The strategy's columns over ``rows`` (candles as :func:`candle_array` gives them), as
    the replay computes them, checked.

    ``strategy`` is a fresh instance: its ``indicators`` is wrapped to see the columns as
    given (the replay turns ``enter`` into booleans, and a text is true)."""
    given: dict[str, Any] = {}
    inner = strategy.indicators

    def seen(frame: Any) -> Mapping[str, Any]:
        out = inner(frame)
        if isinstance(out, Mapping):
            given.update(out)
        return out

    strategy.indicators = seen  # type: ignore[method-assign]
    frame = rows_frame(rows.copy(), interval_s)  # a copy: the strategy may write its frame
    columns = {k: np.asarray(v) for k, v in strategy_columns(strategy, frame, name).items()}
    for key, col in columns.items():
        if col.ndim != 1:
            raise ValueError(f"column '{key}' has shape {col.shape}; one value per candle "
                             f"expected")
    for key in (ENTER, EXIT):
        raw = np.asarray(given.get(key, np.zeros(0, dtype=bool)))
        if raw.size and raw.dtype.kind not in "biuf":
            raise ValueError(f"column '{key}' holds {raw.dtype} values; booleans expected")
    return columns


def _first_difference(full: np.ndarray, part: np.ndarray) -> int | None:
    """The first row where the two columns differ (NaN equals NaN), or None."""
    if full.dtype.kind in "biuf" and part.dtype.kind in "biuf":
        a, b = full.astype(np.float64), part.astype(np.float64)
        with np.errstate(invalid="ignore"):
            same = (a == b) | (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, RTOL, ATOL)
    else:
        same = np.fromiter((_same(x, y) for x, y in zip(full, part, strict=True)), bool,
                           len(part))
    diff = np.flatnonzero(~same)
    return int(diff[0]) if len(diff) else None


def _same(x: Any, y: Any) -> bool:
    if x is y:
        return True
    try:
        if bool(x == y):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(x, float) and isinstance(y, float) and x != x and y != y


def _show(value: Any) -> str:
    """A cell as a short text (numpy scalars as plain Python values)."""
    item = value.item() if isinstance(value, np.generic) else value
    text = repr(item)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = ["CUTS", "SKIP_FLAG", "Leak", "check_lookahead", "cut_points", "find_leak"]
