"""Candle files are checked before a replay: each fault is one line naming the file and row.

Duplicated rows, unsorted rows, missing or non-finite values, impossible prices, naive
dates, gaps and a timeframe the data does not have. Each stops ``claudedex backtest`` with
exit 2 and one line, unless a flag (``--on-duplicates drop``, ``--on-unsorted sort``,
``--on-gaps fill|ignore``) says what to do.
"""

from __future__ import annotations

import calendar
import gc
import json
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from claudedex.backtest.data import load_candles
from claudedex.backtest.metrics import compute
from claudedex.backtest.policy import DataPolicy
from claudedex.backtest.replay import Backtest
from claudedex.errors import UserInputError
from claudedex.market.candles import Candle
from tests.unit.backtest.helpers import profile
from tests.unit.core.cli_run import claudedex

T0 = 1_699_999_800  # a multiple of 300 s: 2023-11-14 22:10 UTC
COLUMNS = ["date", "open", "high", "low", "close", "volume"]


def rows(n: int = 400, step: int = 300) -> list[list[Any]]:
    """Freqtrade JSON rows: [ms, open, high, low, close, volume], waves of 40 candles."""
    out: list[list[Any]] = []
    price = 100.0
    for i in range(n):
        nxt = price * (1.01 if (i // 40) % 2 == 0 else 0.99)
        out.append([(T0 + i * step) * 1000, price, max(price, nxt), min(price, nxt), nxt, 5.0])
        price = nxt
    return out


def write_json(path: Path, data: list[list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))  # NaN and Infinity are written as JSON tokens
    return path


def write_csv(path: Path, data: list[list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(COLUMNS)] + [",".join("" if v is None else str(v) for v in r)
                                  for r in data]
    path.write_text("\n".join(lines) + "\n")
    return path


def candles_of(path: Path, **kw: Any) -> list[Candle]:
    [series] = load_candles(path, **kw)
    return series.candles


def refused(path: Path, *needles: str, **kw: Any) -> str:
    with pytest.raises(UserInputError) as info:
        load_candles(path, **kw)
    msg = str(info.value)
    assert "\n" not in msg
    for needle in (str(path), *needles):
        assert needle in msg, (needle, msg)
    return msg


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_json(tmp_path / "clean" / "ETH_USDT-5m.json", rows())


# -- formats ----------------------------------------------------------------------------------


def test_every_format_reads_the_same_candles(tmp_path: Path, clean: Path) -> None:
    want = candles_of(clean)
    assert len(want) == 400 and want[0] == Candle(T0, 100.0, 101.0, 100.0, 101.0, 5.0)
    frame = pd.DataFrame(rows(), columns=COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], unit="ms", utc=True)
    for name, write in [
        ("ETH_USDT-5m.csv", lambda p: write_csv(p, rows())),
        ("ETH_USDT-5m.feather", lambda p: frame.to_feather(p)),
        ("ETH_USDT-5m.parquet", lambda p: frame.to_parquet(p)),
    ]:
        sub = tmp_path / name.rsplit(".", 1)[1]
        sub.mkdir()
        write(sub / name)
        assert candles_of(sub / name) == want, name
        assert load_candles(sub)[0].candles == want, name  # the directory form too
    assert gc.isenabled()  # the loader turns the collector off only while it builds rows
    assert all(type(c) is Candle for c in want) and want[5].close == want[5][4]


def test_the_loader_leaves_what_is_frozen_frozen(clean: Path) -> None:
    """Rows go to the oldest generation by freeze and unfreeze, only when nothing else
    is frozen (claudedex.heap freezes a started engine's heap: that stays frozen). In a
    suite whose earlier tests froze the heap, the frozen case is the one checked."""
    ours = gc.get_freeze_count() == 0
    held = [object() for _ in range(3)]
    if ours:
        gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        candles_of(clean)
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        if ours:
            gc.unfreeze()
    if ours:  # nothing frozen: the loader's own freeze is undone on its way out
        candles_of(clean)
        assert gc.get_freeze_count() == 0 and gc.isenabled() and held


# -- duplicates and order ---------------------------------------------------------------------


def doubled(data: list[list[Any]]) -> list[list[Any]]:
    return [r for r in data for _ in (0, 1)]


def test_every_candle_twice_is_refused_naming_the_row(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ETH_USDT-5m.json", doubled(rows()))
    refused(path, "row 2", "row 1", "--on-duplicates drop")


def test_a_file_holding_its_rows_twice_is_refused(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ETH_USDT-5m.json", rows() + rows())
    refused(path, "row 401", "row 1")


def test_dropping_duplicates_replays_exactly_the_clean_file(tmp_path: Path, clean: Path) -> None:
    """The field report: every candle twice turned -0.30 % into +1.05 % (an order decided on
    one copy filled at the other copy's earlier open). Dropped copies give the clean result."""
    drop = DataPolicy(on_duplicates="drop")
    for i, data in enumerate([doubled(rows()), rows() + rows()]):
        path = write_json(tmp_path / f"d{i}" / "ETH_USDT-5m.json", data)
        assert candles_of(path, policy=drop) == candles_of(clean)

    def run(candles: list[Candle]) -> dict[str, Any]:
        return compute(Backtest(profile(), candle_interval_s=300).run_candles(
            {"ETH_USDT": candles}, 300))

    assert run(candles_of(tmp_path / "d0" / "ETH_USDT-5m.json", policy=drop)) == run(
        candles_of(clean))


def test_conflicting_duplicates_are_refused_even_with_drop(tmp_path: Path) -> None:
    data = rows()
    data.insert(11, [data[10][0], 1.0, 2.0, 0.5, 1.5, 9.0])  # same date, other prices
    path = write_json(tmp_path / "ETH_USDT-5m.json", data)
    refused(path, "row 12", "row 11", "different", policy=DataPolicy(on_duplicates="drop"))


def test_unsorted_rows_are_refused_or_sorted(tmp_path: Path, clean: Path) -> None:
    data = rows()
    data[100], data[101] = data[101], data[100]
    path = write_json(tmp_path / "ETH_USDT-5m.json", data)
    refused(path, "row 102", "--on-unsorted sort")
    assert candles_of(path, policy=DataPolicy(on_unsorted="sort")) == candles_of(clean)


# -- values -----------------------------------------------------------------------------------

BAD_VALUES = [
    (1, None, "open"),
    (2, math.nan, "high"),
    (4, math.inf, "close"),
    (5, -math.inf, "volume"),
    (1, 0.0, "open"),
    (4, -3.0, "close"),
    (5, -1.0, "volume"),
    (3, 1000.0, "low"),  # above the high
    (2, 1.0, "high"),  # below the low (and the open and close)
    (1, 99.0, "open"),  # below the low of a rising candle
    (4, 999.0, "close"),  # above the high
]


@pytest.mark.parametrize(("col", "value", "name"), BAD_VALUES)
def test_impossible_values_are_refused_naming_row_and_column(
    tmp_path: Path, col: int, value: Any, name: str
) -> None:
    data = rows()
    data[6][col] = value
    refused(write_json(tmp_path / "ETH_USDT-5m.json", data), "row 7", name)
    refused(write_csv(tmp_path / "csv" / "ETH_USDT-5m.csv", data), "row 7", name)


def test_an_unreadable_date_is_refused(tmp_path: Path) -> None:
    data = rows()
    data[8][0] = "yesterday"
    refused(write_json(tmp_path / "ETH_USDT-5m.json", data), "row 9", "date", "yesterday")


# -- dates ------------------------------------------------------------------------------------


@pytest.fixture
def new_york() -> Iterator[None]:
    """The machine's local time five hours behind UTC: naive dates must not move."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_naive_dates_are_utc_whatever_the_machine_zone(tmp_path: Path, new_york: None) -> None:
    data = rows(30)
    iso = [[time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r[0] / 1000)), *r[1:]] for r in data]
    path = write_csv(tmp_path / "ETH_USDT-5m.csv", iso)
    got = candles_of(path)
    assert [c.ts for c in got] == [r[0] / 1000 for r in data]
    assert got[0].ts == calendar.timegm((2023, 11, 14, 22, 10, 0))


def test_dates_with_an_offset_are_converted_to_utc(tmp_path: Path, new_york: None) -> None:
    data = rows(30)
    aware = [[time.strftime("%Y-%m-%dT%H:%M:%S+05:00", time.gmtime(r[0] / 1000 + 5 * 3600)),
              *r[1:]] for r in data]
    got = candles_of(write_csv(tmp_path / "ETH_USDT-5m.csv", aware))
    assert [c.ts for c in got] == [r[0] / 1000 for r in data]


# -- gaps and timeframes ----------------------------------------------------------------------


def test_gaps_are_refused_filled_or_ignored(tmp_path: Path, clean: Path) -> None:
    data = rows()
    del data[50:53]  # three 5m candles missing before the 51st row
    path = write_json(tmp_path / "ETH_USDT-5m.json", data)
    refused(path, "row 51", "3 candles missing", "--on-gaps")
    ignored = candles_of(path, policy=DataPolicy(on_gaps="ignore"))
    assert len(ignored) == 397
    filled = candles_of(path, policy=DataPolicy(on_gaps="fill"))
    full = candles_of(clean)
    assert len(filled) == 400 and filled[:50] == full[:50] and filled[53:] == full[53:]
    before = full[49].close
    assert filled[50:53] == [Candle(full[i].ts, before, before, before, before, 0.0)
                             for i in range(50, 53)]


def test_hourly_candles_named_5m_are_refused(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ETH_USDT-5m.json", rows(step=3600))
    refused(path, "1h", "5m")


def test_5m_candles_named_1h_are_refused(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ETH_USDT-1h.json", rows())
    refused(path, "5m", "1h")


def test_timeframe_flag_is_checked_against_name_and_data(tmp_path: Path) -> None:
    named = write_json(tmp_path / "ETH_USDT-5m.json", rows())
    refused(named, "1h", "5m", timeframe="1h")
    assert len(candles_of(named, timeframe="5m")) == 400
    unnamed = write_json(tmp_path / "bare" / "eth.json", rows(step=3600))
    with pytest.raises(UserInputError, match="--timeframe"):
        load_candles(unnamed)
    refused(unnamed, "1h", "15m", timeframe="15m")
    [series] = load_candles(unnamed, timeframe="1h")
    assert series.pair == "eth" and series.timeframe_s == 3600


def test_timeframe_flag_picks_files_in_a_directory(tmp_path: Path) -> None:
    write_json(tmp_path / "ETH_USDT-5m.json", rows())
    write_json(tmp_path / "ETH_USDT-1h.json", rows(step=3600))
    with pytest.raises(UserInputError, match="--timeframe"):
        load_candles(tmp_path)
    [series] = load_candles(tmp_path, timeframe="1h")
    assert series.timeframe_s == 3600 and len(series.candles) == 400


# -- the command ------------------------------------------------------------------------------


def test_backtest_command_refuses_in_one_line_and_obeys_the_flags(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ETH_USDT-5m.json", doubled(rows()))
    claudedex("backtest", "--data", str(path), "--strategy", "momentum", "--json").one_line(
        2, str(path), "row 2")
    ok = claudedex("backtest", "--data", str(path), "--strategy", "momentum", "--json",
                   "--on-duplicates", "drop")
    assert ok.code == 0, ok.stderr
    assert json.loads(ok.stdout)["steps"] == 400
    hourly = write_json(tmp_path / "h" / "ETH_USDT-5m.json", rows(step=3600))
    claudedex("backtest", "--data", str(hourly), "--strategy", "momentum").one_line(
        2, str(hourly), "1h", "5m")
    claudedex("backtest", "--data", str(path), "--strategy", "momentum",
              "--on-gaps", "sometimes").one_line(2, "--on-gaps")
