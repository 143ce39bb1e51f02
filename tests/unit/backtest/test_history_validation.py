"""Swap histories are checked as they stream: one line naming the file and line per fault.

Duplicated and unsorted lines, non-finite or negative numbers, and a history recorded across
an engine restart (block numbers start again): the replay takes one segment at a time
(``--segment N``) instead of dying on ``block numbers never run backwards``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from claudedex.backtest.data import swap_events
from claudedex.backtest.policy import DataPolicy
from claudedex.backtest.recorder import HistoryRecorder
from claudedex.backtest.replay import Backtest
from claudedex.backtest.sample import sample_rows
from claudedex.bus import EventBus
from claudedex.errors import UserInputError
from claudedex.events import Event, PriceTicked
from tests.unit.backtest.helpers import profile
from tests.unit.core.cli_run import claudedex

Row = dict[str, Any]


def write(path: Path, data: list[Row]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    return path


def sample(swaps: int = 300) -> list[Row]:
    return list(sample_rows(swaps=swaps))


def refused(path: Path, *needles: str, **kw: Any) -> str:
    with pytest.raises(UserInputError) as info:
        list(swap_events(path, **kw))
    msg = str(info.value)
    assert "\n" not in msg
    for needle in (str(path), *needles):
        assert needle in msg, (needle, msg)
    return msg


def ticks(events: list[Event]) -> list[tuple[str, int, int, int, float]]:
    return [(e.pair, e.reserve_token, e.reserve_quote, e.block_number, e.ts)
            for e in events if isinstance(e, PriceTicked)]


# -- duplicates and order ---------------------------------------------------------------------


def test_a_repeated_line_is_refused_or_dropped(tmp_path: Path) -> None:
    data = sample()
    twice = [r for r in data for _ in (0, 1)]
    path = write(tmp_path / "h.jsonl", twice)
    refused(path, f"{path}:2", "line 1", "--on-duplicates drop")
    kept = list(swap_events(path, policy=DataPolicy(on_duplicates="drop")))
    assert kept == list(swap_events(write(tmp_path / "clean.jsonl", data)))


def test_time_going_back_is_refused_or_sorted(tmp_path: Path) -> None:
    data = sample()
    data[10], data[11] = data[11], data[10]
    path = write(tmp_path / "h.jsonl", data)
    refused(path, f"{path}:12", "goes back", "--on-unsorted sort")
    assert ticks(list(swap_events(path, policy=DataPolicy(on_unsorted="sort")))) == ticks(
        list(swap_events(write(tmp_path / "clean.jsonl", sample()))))


# -- values -----------------------------------------------------------------------------------

BAD_VALUES: list[tuple[str, Any, str]] = [
    ("ts", float("nan"), "ts"),
    ("ts", float("inf"), "ts"),
    ("reserve_token", -5, "reserve_token"),
    ("reserve_quote", "-1", "reserve_quote"),
    ("reserve_quote", None, "reserve_quote"),
    ("block", -1, "block"),
]


@pytest.mark.parametrize(("key", "value", "needle"), BAD_VALUES)
def test_bad_swap_values_name_the_line(tmp_path: Path, key: str, value: Any, needle: str) -> None:
    data = sample()
    swap = next(i for i, r in enumerate(data) if r["kind"] == "swap")
    data[swap + 3][key] = value
    refused(write(tmp_path / "h.jsonl", data), f"h.jsonl:{swap + 4}", needle)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1.5, -0.1])
def test_a_score_outside_0_1_is_refused(tmp_path: Path, value: float) -> None:
    """A NaN scam probability compares False with every limit: the ai strategy would buy."""
    data = sample()
    i = next(i for i, r in enumerate(data) if r["kind"] == "score")
    data[i]["scam_probability"] = value
    refused(write(tmp_path / "h.jsonl", data), f"h.jsonl:{i + 1}", "scam_probability")


# -- engine restarts --------------------------------------------------------------------------


def restarted() -> list[Row]:
    """Two runs appended to one file: the second chain starts again at block 1001."""
    first, second = sample(300), sample(200)
    last_ts = first[-1]["ts"]
    for r in second:
        r["ts"] += last_ts - 1_700_000_000 + 60
    return first + second


def test_a_restart_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path / "history.jsonl", restarted())
    refused(path, f"{path}:305", "restart", "--segment")
    claudedex("backtest", "--data", str(path), "--strategy", "momentum").one_line(
        2, f"{path}:305", "--segment")
    claudedex("backtest", "--data", str(path), "--strategy", "momentum", "--on-gaps",
              "fill").one_line(2, "--on-gaps", "candle")


def test_each_segment_replays_on_its_own(tmp_path: Path) -> None:
    path = write(tmp_path / "history.jsonl", restarted())
    one = list(swap_events(path, segment=1))
    two = list(swap_events(path, segment=2))
    assert len(ticks(one)) == 300 and len(ticks(two)) == 200
    alone = list(swap_events(write(tmp_path / "a.jsonl", sample(300))))
    assert one == alone
    for seg in (one, two):
        result = Backtest(profile()).run_events(iter(seg))
        assert result.steps == len(ticks(seg))
    with pytest.raises(UserInputError, match="2 segments"):
        list(swap_events(path, segment=3))
    ok = claudedex("backtest", "--data", str(path), "--strategy", "momentum", "--json",
                   "--segment", "2")
    assert ok.code == 0, ok.stderr
    assert json.loads(ok.stdout)["steps"] == 200


def test_recorder_marks_each_run_so_late_ticks_are_no_restart(tmp_path: Path) -> None:
    """A run's start line delimits segments; inside one, a tick of an older block (a second
    source, a manual trade's quote at the head) is taken as the live clock takes it."""
    from claudedex.domain import PairInfo
    from claudedex.events import PairDiscovered

    path = tmp_path / "history.jsonl"
    info = PairInfo(31337, "uniswap", "0xpair", "0xtoken", "0xweth", 1, "TKN")
    for run, blocks in enumerate([[5, 6, 8, 7, 9], [2, 3, 4]]):
        rec = HistoryRecorder(EventBus(), path)
        buf = io.StringIO()
        rec.write(buf, PairDiscovered(pair=info, ts=1000.0 + 100 * run))
        for i, b in enumerate(blocks):
            rec.write(buf, PriceTicked(pair="0xpair", reserve_token=10**20 + b,
                                       reserve_quote=10**18, block_number=b,
                                       ts=1000.0 + 100 * run + i))
        with path.open("a", encoding="utf-8") as fh:
            fh.write(buf.getvalue())
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["kind"] for x in lines].count("start") == 2
    first = list(swap_events(path, segment=1))
    assert [t[3] for t in ticks(first)] == [5, 6, 8, 7, 9]
    Backtest(profile()).run_events(iter(first))  # block 7 after 8: no error
    assert [t[3] for t in ticks(list(swap_events(path, segment=2)))] == [2, 3, 4]
    refused(path, "restart", "--segment")
