"""Candle files in Freqtrade's layout, read and checked: ``<PAIR>-<timeframe>.<ext>``.

JSON is a list of ``[date, open, high, low, close, volume]`` rows; CSV, feather and parquet
have those columns by name. A date is epoch seconds or milliseconds (above 1e11), or an ISO
8601 text or datetime. Dates without a timezone are UTC, never the machine's local time
(Freqtrade writes and reads all candle dates as UTC); a date with an offset is converted.

The timeframe comes from the file's name or ``--timeframe`` (they must agree) and is
checked against the data's own spacing: hourly candles named ``-5m`` are refused.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from claudedex.backtest.candle_checks import NAMES, Floats, Rows, check_candles
from claudedex.backtest.policy import STRICT, DataPolicy
from claudedex.errors import UserInputError
from claudedex.market.candles import Candle

TIMEFRAMES = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
EXTS = "json|csv|feather|parquet"
CANDLE_RE = re.compile(rf"^(?P<pair>.+)-(?P<tf>\d+[mhdw])(?:-\w+)?\.(?P<ext>{EXTS})$")
ANY_RE = re.compile(rf"^(?P<pair>.+)\.(?P<ext>{EXTS})$")
MS_ABOVE = 1e11  # a number date above this is in milliseconds
# Candle(*row) as Candle's own __new__ makes it (tuple.__new__(Candle, row); a NamedTuple
# may not override __new__), without a Python-level call per row: a fifth of the build
_NEW_CANDLE = partial(tuple.__new__, Candle)


@dataclass(frozen=True, slots=True)
class CandleSeries:
    pair: str
    timeframe_s: int
    candles: list[Candle]


def timeframe_seconds(tf: str) -> int:
    m = re.fullmatch(r"(\d+)([mhdw])", tf)
    if m is None or int(m[1]) == 0:
        raise UserInputError(f"timeframe {tf!r}: expected a number and m, h, d or w (5m, 1h)")
    return int(m[1]) * TIMEFRAMES[m[2]]


def load_candles(
    path: Path, timeframe: str | None = None, policy: DataPolicy = STRICT
) -> list[CandleSeries]:
    """One file, or every ``<PAIR>-<tf>.<ext>`` file in a directory (of ``timeframe``)."""
    wanted = timeframe_seconds(timeframe) if timeframe else None
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if CANDLE_RE.match(p.name))
        if wanted is not None:
            files = [f for f in files if _named_tf(f) == wanted]
        if not files:
            which = f"{timeframe} " if timeframe else ""
            raise UserInputError(f"{path}: no {which}candle files named "
                                 f"<PAIR>-<timeframe>.{EXTS}")
        if len({_named_tf(f) for f in files}) > 1:
            raise UserInputError(f"{path}: candle files of several timeframes; choose one "
                                 f"with --timeframe")
        pairs: dict[str, Path] = {}
        for f in files:  # ETH_USDT-5m.json and ETH_USDT-5m-futures.json: one pair, two files
            m = CANDLE_RE.match(f.name)
            if m is not None and (other := pairs.setdefault(m["pair"], f)) != f:
                raise UserInputError(f"{path}: {other.name} and {f.name} are both pair "
                                     f"{m['pair']}; keep one of them in the directory")
    else:
        files = [path]
    return [_load(f, wanted, timeframe, policy) for f in files]


def _named_tf(f: Path) -> int | None:
    m = CANDLE_RE.match(f.name)
    return timeframe_seconds(m["tf"]) if m else None


@contextmanager
def _no_collector() -> Iterator[None]:
    """Python's cyclic collector off while a file's rows become objects: they hold no
    cycles, and on 3.11 its passes over the growing rows cost as much as the parse.

    On the way out the rows go to the oldest generation unexamined (freeze, then unfreeze:
    two list splices) rather than to the young one, whose next pass would walk all of them
    and their six floats each (30 ms for 200,000 candles, on a fresh heap). Only when
    nothing is frozen: unfreezing would hand back what :mod:`claudedex.heap` froze."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was:
            gc.enable()


def _load(f: Path, wanted: int | None, timeframe: str | None, policy: DataPolicy) -> CandleSeries:
    m = CANDLE_RE.match(f.name) or ANY_RE.match(f.name)
    if m is None:
        raise UserInputError(f"{f}: candle files are named <PAIR>-<timeframe>.{EXTS}")
    named = _named_tf(f)
    if named is not None and wanted is not None and named != wanted:
        raise UserInputError(f"{f}: its name says {m['tf']} but --timeframe says {timeframe}")
    tf = wanted if wanted is not None else named
    if tf is None:
        raise UserInputError(f"{f}: no timeframe in its name (<PAIR>-<timeframe>.<ext>, e.g. "
                             f"ETH_USDT-5m.json); pass --timeframe")
    source = "its name says" if named is not None else "--timeframe says"
    with _no_collector():
        ts, values, where = _read(f, m["ext"])
        ts, values = check_candles(ts, values, where, tf, source, policy)
        o, h, lo, c, v = (values[:, k].tolist() for k in range(5))
        rows = zip(ts.tolist(), o, h, lo, c, v, strict=True)  # no Python call per row
        return CandleSeries(m["pair"], tf, list(map(_NEW_CANDLE, rows)))


def _read(f: Path, ext: str) -> tuple[Floats, Floats, Rows]:
    """Dates (UTC seconds) and OHLCV rows as floats: NaN where a value is missing."""
    where = Rows(f, header_lines=1 if ext == "csv" else 0)
    try:
        if ext == "json":
            rows = json.loads(f.read_text(encoding="utf-8"))
            fast = _numeric_rows(rows)
            if fast is not None:  # the usual file: numbers (and nulls) only, no pandas
                dates = _epoch(fast[:, 0])
                _finite_dates(dates, where, lambda i: rows[i][0])
                return dates, fast[:, 1:], where
            if not isinstance(rows, list) or not all(
                    isinstance(r, list) and len(r) == 6 for r in rows):
                raise UserInputError(f"{f}: expected a JSON list of [date, open, high, low, "
                                     "close, volume] rows")
        import pandas as pd  # heavy: only for the files that need it

        if ext == "json":
            frame = pd.DataFrame(rows, columns=list(NAMES), dtype=object)
        elif ext == "csv":
            frame = pd.read_csv(f)
        elif ext == "feather":
            frame = pd.read_feather(f)
        else:
            frame = pd.read_parquet(f)
    except (OSError, ValueError, TypeError, ImportError) as exc:
        raise UserInputError(f"{f}: unreadable candle file ({type(exc).__name__}: {exc})") from None
    missing = [name for name in NAMES if name not in frame.columns]
    if missing:
        raise UserInputError(f"{f}: no column {', '.join(missing)} (expected "
                             f"{', '.join(NAMES)})")
    values = np.column_stack([
        pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        for name in NAMES[1:]
    ])
    dates = _dates(frame["date"])
    _finite_dates(dates, where, lambda i: frame["date"].iloc[i])
    return dates, values, where


def _numeric_rows(rows: Any) -> Floats | None:
    """``rows`` as an (n, 6) float array when every cell is a number or null, else None."""
    try:
        arr = np.array(rows, dtype=np.float64)
    except (ValueError, TypeError):
        return None
    return arr if arr.ndim == 2 and arr.shape[1] == 6 and len(arr) > 0 else None


def _epoch(numbers: Floats) -> Floats:
    """Epoch numbers in seconds: those above 1e11 are milliseconds."""
    return np.where(numbers > MS_ABOVE, numbers / 1000.0, numbers)


def _dates(col: Any) -> Floats:
    """UTC seconds from numbers (s or ms), ISO texts or datetimes; naive ones are UTC."""
    import pandas as pd

    epoch = pd.Timestamp(0, tz="UTC")
    if pd.api.types.is_datetime64_any_dtype(col):
        aware = col if col.dt.tz is not None else col.dt.tz_localize("UTC")
        out: Floats = ((aware - epoch) / pd.Timedelta(seconds=1)).to_numpy(
            dtype=np.float64, na_value=np.nan)
        return out
    numbers = pd.to_numeric(col, errors="coerce")
    out = numbers.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    text = (numbers.isna() & col.notna()).to_numpy()
    if text.any():
        parsed = pd.to_datetime(col[text].astype(str), utc=True, format="ISO8601",
                                errors="coerce")
        out[text] = ((parsed - epoch) / pd.Timedelta(seconds=1)).to_numpy(
            dtype=np.float64, na_value=np.nan)
    return _epoch(out)


def _finite_dates(dates: Floats, where: Rows, raw: Callable[[int], Any]) -> None:
    """A date that is missing or no date: one line quoting it as written."""
    bad = np.flatnonzero(~np.isfinite(dates))
    if len(bad):
        i = int(bad[0])
        raise UserInputError(f"{where.at(i)}: date {raw(i)!r} is not a date")
