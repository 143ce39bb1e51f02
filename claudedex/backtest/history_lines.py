"""A swap history's lines, checked in one streaming pass and cut into segments.

Why segments: the engine appends to ``history.jsonl`` across restarts, and a devnet restart
is a new chain whose block numbers start again. One replay cannot hold two chains (its
clock, pools and positions would mix them), so each run is a segment, replayed on its own
(``--segment N``); a file of several is refused with one line saying where the next begins.

Where segments begin: at each ``{"kind": "start"}`` line (the recorder writes one when a
run starts), and in a segment without one (files from older recorders) at a price line
whose block is below the previous price line's; the lines between that run's last price
line and the next run's first go with the next run. Inside a segment that has its start
line, a price line of an older block is kept (two sources, a manual trade's quote at the
head): the replay's clock keeps the highest block, as the live clock does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from claudedex.backtest.policy import DataPolicy
from claudedex.errors import UserInputError

Line = tuple[int, dict[str, Any], float]  # line number, row, ts
PRICE_KINDS = ("swap", "sync")


def checked_lines(path: Path, policy: DataPolicy) -> Iterator[Line]:
    """Lines in replay order: JSON objects with a finite ts that never goes back, no
    repeats; ``policy`` may sort them by ts (stable) or skip the repeats."""
    last_ts, last_line = -math.inf, 0
    same_ts: dict[str, int] = {}  # text -> line, of the lines sharing the current ts
    with path.open("rb") as fh:
        source: Iterable[tuple[int, str]] = ((n, _text(path, n, raw))
                                             for n, raw in enumerate(fh, 1))
        if policy.on_unsorted == "sort":
            source = sorted(((n, t) for n, t in source if t.strip()),
                            key=lambda line: _parse(path, *line)[1])
            moved = sum(1 for a, b in zip(source, source[1:], strict=False) if b[0] < a[0])
            policy.repairs["lines out of time order, sorted"] += moved
        for n, line in source:
            text = line.strip()
            if not text:
                continue
            row, ts = _parse(path, n, text)
            if row.get("kind") == "start":  # a new run: its own clock (the machine's may differ)
                last_ts, last_line = -math.inf, 0
            if ts < last_ts:
                raise UserInputError(f"{path}:{n}: ts {ts} goes back in time (line {last_line} "
                                     f"has {last_ts}); --on-unsorted sort orders the lines by ts")
            if ts != last_ts:
                same_ts.clear()
            first = same_ts.get(text)
            if first is not None:
                if policy.on_duplicates == "drop":
                    policy.repairs["repeated lines dropped"] += 1
                    continue
                raise UserInputError(f"{path}:{n}: repeats line {first}; --on-duplicates drop "
                                     f"skips repeated lines")
            same_ts[text] = n
            last_ts, last_line = ts, n
            yield n, row, ts


def _text(path: Path, n: int, raw: bytes) -> str:
    """A line's bytes as text: UTF-8, or one line naming the line (not a traceback)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserInputError(f"{path}:{n}: not UTF-8 text (byte {raw[exc.start]:#04x} at "
                             f"column {exc.start + 1})") from None


def _parse(path: Path, n: int, text: str) -> tuple[dict[str, Any], float]:
    try:
        row = json.loads(text)
        ts = float(row["ts"])
    except (ValueError, KeyError, TypeError):
        raise UserInputError(f"{path}:{n}: not a swap-history JSON line") from None
    if not math.isfinite(ts):
        raise UserInputError(f"{path}:{n}: ts {ts} is not a finite number")
    return row, ts


def segment_lines(path: Path, lines: Iterator[Line], segment: int | None) -> Iterator[Line]:
    """The lines of ``segment`` (1-based); with None, the file must hold only one."""
    number, started = 1, False  # the current segment, and whether it holds a line yet
    marked = False  # the current segment began with a start line
    prev_block, prev_line = -1, 0  # the segment's last price line (-1: none yet)
    pending: list[Line] = []  # lines since that price line, segment not yet known

    def begin(line: int, why: str) -> None:
        nonlocal number, prev_block
        number, prev_block = number + 1, -1
        if segment is None:
            raise UserInputError(f"{path}:{line}: an engine restart: {why}; replay one segment "
                                 f"at a time with --segment N (segment 1 ends before here)")

    for n, row, ts in lines:
        if segment is not None and number > segment:
            return
        kind = row.get("kind", "swap")
        if kind == "start":
            if started:
                yield from _keep(pending, number, segment)
                begin(n, "a second recorded run starts here")
                started = False
            marked = True
            continue
        if not marked:
            if kind not in PRICE_KINDS:
                pending.append((n, row, ts))  # its run is known at the next price line
                started = True
                continue
            block = row.get("block")
            if type(block) is str and block.isdigit():  # a decimal string, as amounts may be
                block = int(block)
            if type(block) is int:  # anything else: the event's own check names it
                if block < prev_block:
                    begin(pending[0][0] if pending else n,
                          f"block numbers start again (block {block} at line {n} after block "
                          f"{prev_block} at line {prev_line})")
                prev_block, prev_line = block, n
            if pending:
                yield from _keep(pending, number, segment)
        started = True
        if segment is None or number == segment:
            yield n, row, ts
    yield from _keep(pending, number, segment)
    if segment is not None and segment > number:
        raise UserInputError(f"{path}: --segment {segment}: the history has only {number} "
                             f"segment{'s' if number > 1 else ''}")


def _keep(pending: list[Line], number: int, segment: int | None) -> Iterator[Line]:
    if segment is None or number == segment:
        yield from pending
    pending.clear()
