"""Snapshot tests of every pane and dialog, fed by the recorded session on a real engine.

Deterministic by construction: a manual clock (ages, log times), fixed event timestamps
and addresses, a fixed terminal size, no timers, no toasts. Update with
``pytest tests/tui/test_snapshots.py --snapshot-update`` after checking the SVGs by eye.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from claudedex.engine import Engine
from tui.sample_events import session
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.feed import PairFeed

from .conftest import make_app, replay

SnapCompare = Callable[..., bool]


async def _fed(pilot: Pilot[Any]) -> None:
    await replay(pilot, session())


@pytest.mark.parametrize("pane", ["feed", "approvals", "positions", "pnl", "risk", "log"])
def test_pane(snap_compare: SnapCompare, engine: Engine, pane: str) -> None:
    app = make_app(engine, panes=[pane])
    assert snap_compare(app, terminal_size=(120, 24), run_before=_fed)


def test_full_console(snap_compare: SnapCompare, engine: Engine) -> None:
    assert snap_compare(make_app(engine), terminal_size=(180, 50), run_before=_fed)


def test_halted_banner(snap_compare: SnapCompare, engine: Engine) -> None:
    async def halted(pilot: Pilot[Any]) -> None:
        await _fed(pilot)
        await pilot.press("ctrl+x")
        await pilot.pause()

    assert snap_compare(make_app(engine), terminal_size=(180, 50), run_before=halted)


def test_pair_detail(snap_compare: SnapCompare, engine: Engine) -> None:
    async def detail(pilot: Pilot[Any]) -> None:
        await _fed(pilot)
        feed = pilot.app.query_one(PairFeed)
        feed.focus()
        feed.move_cursor(row=1)  # TAXY: risky, with ticks and findings
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(make_app(engine), terminal_size=(160, 50), run_before=detail)


def test_override_dialog_for_risky(snap_compare: SnapCompare, engine: Engine) -> None:
    async def override(pilot: Pilot[Any]) -> None:
        await _fed(pilot)
        approvals = pilot.app.query_one(ApprovalsPane)
        approvals.focus()
        approvals.move_cursor(row=1)  # p-2, risky
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()

    assert snap_compare(make_app(engine), terminal_size=(160, 50), run_before=override)


def test_help(snap_compare: SnapCompare, engine: Engine) -> None:
    assert snap_compare(make_app(engine), terminal_size=(140, 36), press=["question_mark"])
