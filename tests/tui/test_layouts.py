"""At 80×24, 120×30 and 160×48 the status (HALTED) and the stop key are on screen, the feed
shows whole columns only, and P&L stays in the positions pane's first columns."""

from __future__ import annotations

import pytest

from claudedex.engine import Engine
from claudedex.events import Event
from tui.widgets.feed import COLUMNS, PairFeed, fitting_columns

from .conftest import make_app, replay
from .test_console_v2_screens import screen_lines

SIZES = [(80, 24), (120, 30), (160, 48)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_status_and_stop_key_always_visible(engine: Engine, recorded: list[Event],
                                                  size: tuple[int, int]) -> None:
    app = make_app(engine)
    async with app.run_test(size=size) as pilot:
        await replay(pilot, recorded)
        lines = screen_lines(app)
        assert "RUNNING" in lines[0] and "ctrl+x = STOP" in lines[0]
        assert "^X STOP" in lines[-1]  # the footer too
        await pilot.press("ctrl+x")
        await pilot.pause()
        lines = screen_lines(app)
        assert lines[0].startswith(" HALTED ")
        assert "^X STOP" in lines[-1]
        assert any("■ HALTED ■" in line for line in lines[:5])  # the banner, in full


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_feed_columns_are_whole_and_pnl_is_in_view(engine: Engine,
                                                         recorded: list[Event],
                                                         size: tuple[int, int]) -> None:
    app = make_app(engine)
    async with app.run_test(size=size) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        shown = fitting_columns(feed.size.width - feed.scrollbar_gutter.width)
        text = "\n".join(screen_lines(app))
        header = next(line for line in screen_lines(app) if " Pair " in line)
        for _, title, _, _ in shown:
            assert title in header  # every shown column is whole
        assert {"pair", "verdict", "taxes", "liq"} <= {key for key, *_ in shown}
        assert "cannot sell" in text  # the honeypot's row says so at every size
        assert "P&L %" in text and "+15.0%" in text  # the position's P&L is not cut
        if size[0] >= 160:
            assert len(shown) >= len(COLUMNS) - 1


def test_column_fitting_keeps_priority() -> None:
    assert [k for k, *_ in fitting_columns(30)] == ["pair"]
    narrow = {k for k, *_ in fitting_columns(78)}
    assert {"pair", "verdict", "taxes", "liq"} <= narrow
    assert len(fitting_columns(200)) == len(COLUMNS)
