"""Snapshot tests of every pane and dialog, fed by the recorded session on a real engine.

Deterministic by construction: a manual clock (ages, log times), fixed event timestamps
and addresses, a fixed terminal size, no timers, no toasts. Update with
``pytest tests/tui/test_snapshots.py --snapshot-update`` after checking the SVGs by eye.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from claudedex.clock import ManualClock
from claudedex.config import load_profile
from claudedex.engine import Engine
from tui.sample_events import NOW, addr, session
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.feed import PairFeed

from .conftest import make_app, replay

SnapCompare = Callable[..., bool]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """The console without toasts: a toast's fade would make a snapshot depend on timing."""
    profile = load_profile("devnet")
    quiet = profile.console.model_copy(update={"toast_on_proposal": False,
                                               "toast_on_failed_exit": False})
    return Engine(profile.model_copy(update={"console": quiet}), data_dir=tmp_path / "data",
                  clock=ManualClock(NOW), wire=False)


async def _fed(pilot: Pilot[Any]) -> None:
    await replay(pilot, session())
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()  # the start-up reads (wallet, stored fills) have answered


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
        feed.move_cursor(row=feed.display_row(addr(2, "b")) or 0)  # TAXY: risky, ticks
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


SIZES = [(80, 24), (120, 30), (160, 48)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_layout_halted(snap_compare: SnapCompare, engine: Engine, size: tuple[int, int]) -> None:
    """Each supported terminal size, halted: HALTED and the stop key are on screen; panes
    stack or collapse and keep whole columns."""
    async def halted(pilot: Pilot[Any]) -> None:
        await _fed(pilot)
        await pilot.press("ctrl+x")
        await pilot.pause()

    assert snap_compare(make_app(engine), terminal_size=size, run_before=halted)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_layout_running(snap_compare: SnapCompare, engine: Engine,
                        size: tuple[int, int]) -> None:
    assert snap_compare(make_app(engine), terminal_size=size, run_before=_fed)
