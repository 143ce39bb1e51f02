"""Pilot tests: keys pressed in the console become engine commands, and the screen shows
what the engine did. The engine is real (approval queue, halt switch file); its bus is fed
a recorded session."""

from __future__ import annotations

import json

import pytest

from claudedex.domain import Score
from claudedex.engine import Engine
from claudedex.events import Event, ProposalDecided
from tui.app import ClaudeDexApp
from tui.ml_panel import ml_section
from tui.sample_events import ESCAPE_NAME, MARKUP_NAME, addr
from tui.screens.detail import DetailScreen
from tui.screens.dialogs import HelpScreen, ResumeScreen
from tui.screens.override import OverrideScreen
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.feed import PairFeed
from tui.widgets.positions import PositionsPane
from tui.widgets.status import HaltBanner

from .conftest import make_app, replay

SIZE = (180, 50)


def pending_ids(engine: Engine) -> list[str]:
    return [p.id for p in engine.pending_proposals()]


async def select_proposal(app: ClaudeDexApp, pilot, proposal_id: str) -> None:  # type: ignore[no-untyped-def]
    approvals = app.query_one(ApprovalsPane)
    approvals.focus()
    await pilot.pause()
    while approvals.selected_id != proposal_id:
        await pilot.press("down")


async def test_panes_fill_from_engine_events(engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        assert feed.row_count == 6
        assert app.query_one(ApprovalsPane).row_count == 3
        assert app.query_one(PositionsPane).row_count == 2
        assert pending_ids(engine) == ["p-1", "p-2", "p-3"]
        assert len(app.state.equity) == 10


async def test_hostile_names_render_as_plain_capped_text(engine: Engine,
                                                         recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        labels = [feed.cell(addr(i, "b"), "pair").plain for i in (4, 5, 6)]
        assert labels[0].startswith("[bold red]FREE[")  # literal brackets, capped at 16
        assert "\x1b" not in labels[1] and "\x07" not in labels[1]
        assert labels[1].startswith("]0;pwnedEVIL")
        assert len(labels[2].split(" ")[0]) == 16 and labels[2].split(" ")[0].endswith("…")
        # The markup string never became styles: the span list is the one we set (bold).
        cell = feed.cell(addr(4, "b"), "pair")
        assert all(str(span.style) in {"bold", "dim"} for span in cell.spans)
        svg = app.export_screenshot()
        assert "pwned" in svg and "\x1b" not in svg
    assert MARKUP_NAME and ESCAPE_NAME


async def test_approve_key_approves_selected_proposal(engine: Engine,
                                                      recorded: list[Event]) -> None:
    app = make_app(engine)
    decisions = engine.bus.subscribe("test-decisions", [ProposalDecided.topic])
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-1")
        await pilot.press("a")  # a buy: a one-line confirmation first
        await pilot.pause()
        assert pending_ids(engine) == ["p-1", "p-2", "p-3"]
        await pilot.press("enter")
        await pilot.pause()
        assert pending_ids(engine) == ["p-2", "p-3"]
        decided = decisions.get_nowait()
        assert isinstance(decided, ProposalDecided)
        assert (decided.proposal_id, decided.decision, decided.by) == ("p-1", "approved",
                                                                       "operator")
        await pilot.pause()
        assert app.query_one(ApprovalsPane).row_count == 2


async def test_reject_key_rejects(engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-2")
        await pilot.press("r")
        await pilot.pause()
        assert pending_ids(engine) == ["p-1", "p-3"]


async def test_plain_approve_of_risky_is_refused(engine: Engine,
                                                 recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-2")
        await pilot.press("a")
        await pilot.pause()
        assert "p-2" in pending_ids(engine)


async def test_override_risky_needs_typed_confirmation(engine: Engine,
                                                       recorded: list[Event]) -> None:
    app = make_app(engine)
    decisions = engine.bus.subscribe("test-decisions", [ProposalDecided.topic])
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-2")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        app.screen.query_one("#confirm").focus()
        await pilot.press("n", "o", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)  # wrong word: still asking
        assert "p-2" in pending_ids(engine)
        await pilot.press("backspace", "backspace", *"RISKY", "enter")
        await pilot.pause()
        assert "p-2" in pending_ids(engine)  # the summary is showing; nothing sent yet
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, OverrideScreen)
        assert "p-2" not in pending_ids(engine)
        decided = decisions.get_nowait()
        assert isinstance(decided, ProposalDecided)
        assert decided.decision == "overridden" and "risky accepted" in decided.note


async def test_override_changes_size_and_slippage(engine: Engine,
                                                  recorded: list[Event]) -> None:
    app = make_app(engine)
    decisions = engine.bus.subscribe("test-decisions", [ProposalDecided.topic])
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-1")
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"0.5", "tab", *"120", "enter")
        await pilot.pause()
        await pilot.press("enter")  # the summary
        await pilot.pause()
        await pilot.pause()
        decided = decisions.get_nowait()
        assert isinstance(decided, ProposalDecided) and decided.proposal is not None
        assert decided.decision == "overridden"
        assert decided.proposal.amount_in == 5 * 10**17
        assert decided.proposal.slippage_bps == 120


async def test_scam_cannot_be_overridden_from_console(engine: Engine,
                                                      recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-3")
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, OverrideScreen)
        assert "p-3" in pending_ids(engine)


async def test_stop_key_halts_at_once_and_persists(engine: Engine,
                                                   recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert engine.is_halted()
        persisted = json.loads((engine.data_dir / "halt.json").read_text())
        assert persisted["halted"] is True
        assert app.query_one(HaltBanner).has_class("-halted")
        assert "HALTED" in str(app.query_one(HaltBanner).render())
        # While halted, approving is refused by the engine and the proposal stays.
        await select_proposal(app, pilot, "p-1")
        await pilot.press("a", "enter")
        await pilot.pause()
        assert "p-1" in pending_ids(engine)


async def test_stop_key_works_inside_a_dialog(engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-1")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert engine.is_halted()


async def test_resume_needs_confirmation(engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("ctrl+x")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        await pilot.press(*"yes", "enter")
        await pilot.pause()
        assert engine.is_halted()
        await pilot.press("escape")
        await pilot.pause()
        assert engine.is_halted()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press(*"RESUME", "enter")
        await pilot.pause()
        await pilot.pause()
        assert not engine.is_halted()
        assert not app.query_one(HaltBanner).has_class("-halted")


async def test_filter_narrows_the_feed(engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"safe", "enter")
        await pilot.pause()
        feed = app.query_one(PairFeed)
        assert feed.row_count == 2
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"honey", "enter")
        await pilot.pause()
        assert feed.row_count == 1


async def test_details_show_findings_with_evidence(engine: Engine,
                                                   recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        feed.focus()
        feed.move_cursor(row=feed.display_row(addr(3, "b")) or 0)  # HONEY
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        text = app.export_screenshot()
        assert "honeypot.sell_reverts" in text and "TRANSFER_FAILED" in text
        assert "setTaxes" in text  # the mempool early warning for that token
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)


async def test_trading_keys_do_nothing_under_a_dialog(engine: Engine,
                                                      recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("a", "r")
        await pilot.pause()
        assert pending_ids(engine) == ["p-1", "p-2", "p-3"]


@pytest.mark.parametrize("key", ["ctrl+x"])
async def test_stop_key_is_in_the_footer(engine: Engine, key: str) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE):
        bindings = {b.key: b for b in app.BINDINGS if not isinstance(b, tuple)}
        assert bindings[key].action == "halt" and bindings[key].priority
        assert bindings[key].show


async def test_enter_on_feed_opens_details(engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        feed.focus()
        await pilot.press("end", "up")  # newest first: the oldest is last
        assert feed.selected_pair == addr(2, "b").lower()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.row.info.symbol == "TAXY"


async def test_feed_shows_newest_first_and_counts_new_pairs_when_scrolled(
        engine: Engine, recorded: list[Event]) -> None:
    from tui.sample_events import synthetic_pair

    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        assert feed.cursor_row == 0 and feed.selected_pair == addr(6, "b").lower()  # newest
        await replay(pilot, synthetic_pair(1, 0.0))
        assert feed.cursor_row == 0 and feed.display_row(addr(10_001, "b")) == 0  # followed
        assert feed.unseen == 0 and not str(feed.border_subtitle)
        feed.focus()
        await pilot.press("down", "down")
        held = feed.selected_pair
        await replay(pilot, synthetic_pair(2, 0.0))
        assert feed.row_count == 8 and feed.selected_pair == held  # held still
        assert feed.cursor_row == 3 and feed.unseen == 1
        assert "1 new" in str(feed.border_subtitle)  # the cue
        await pilot.press("home")
        assert feed.cursor_row == 0 and feed.unseen == 0 and not str(feed.border_subtitle)


async def test_hostile_pair_detail_and_markup_filter_stay_text(engine: Engine,
                                                               recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        feed.focus()
        feed.move_cursor(row=feed.display_row(addr(4, "b")) or 0)  # "[bold red]FREE[/]"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        svg = app.export_screenshot()
        assert "FREE[/]" in svg  # shown literally in the header and the finding detail
        await pilot.press("escape", "slash")
        await pilot.pause()
        await pilot.press(*"[bold", "enter")  # would be a markup error if parsed
        await pilot.pause()
        assert feed.row_count == 1  # matches the literal "[bold" in that token's name



def _plain(renderable: object) -> str:
    from rich.console import Console

    console = Console(width=150, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


async def test_details_show_ml_score_and_top_contributions(engine: Engine,
                                                           recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        feed = app.query_one(PairFeed)
        feed.focus()
        feed.move_cursor(row=feed.display_row(addr(2, "b")) or 0)  # TAXY: scam p 10%
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        svg = app.export_screenshot()
        assert "ML&#160;score" in svg and "lp_burned_share" in svg
        out = _plain(ml_section(app.screen.row.score))
        assert "10.0%" in out and "ens-1" in out
        assert "pump probability  60.0%" in out
        order = [out.index(name) for name in
                 ("lp_burned_share", "sell_tax_bps", "n_sells", "anomaly_score")]
        assert order == sorted(order)  # |-0.85| > |+0.5| > |+0.24| > |+0.05|
        assert "-0.8500" in out and "+0.5000" in out
        assert "simulated sell tax" in out  # the feature's doc from FEATURES
        assert "pump_probability" not in out  # a headline figure, not a contribution


def test_ml_section_keeps_feature_names_as_text() -> None:
    hostile = Score(token="0x1", scam_probability=0.5, model_version="[bold]v\x1b[2J",
                    contributions=(("[red]evil[/]\x07", 1.5), ("n_buys", -2.0)))
    out = _plain(ml_section(hostile))
    assert "[red]evil[/]" in out and "\x07" not in out and "\x1b" not in out
    assert out.index("n_buys") < out.index("evil")
    assert "pump probability  —" in out
    assert "no ML score yet" in _plain(ml_section(None))


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (160, 48)])
async def test_halted_and_the_stop_key_are_on_screen_at_every_size(
        engine: Engine, recorded: list[Event], size: tuple[int, int]) -> None:
    """Reproduction: at 80x24 the word HALTED was not on screen (the status bar cut it off
    and the wrapped banner lost its first line); at 120x30 "ctrl+x = STOP" was cut."""
    from tui.widgets.status import StatusBar

    app = make_app(engine)
    async with app.run_test(size=size) as pilot:
        await replay(pilot, recorded)
        await pilot.pause()
        status = app.query_one(StatusBar)
        shown = str(status.render())
        assert shown.startswith(" RUNNING ") and "ctrl+x = STOP" in shown[:size[0]]
        await pilot.press("ctrl+x")
        await pilot.pause()
        shown = str(status.render())
        assert shown.startswith(" HALTED ")
        banner = app.query_one(HaltBanner)
        first_line = str(banner.render()).splitlines()[0]
        assert "HALTED" in first_line and len(first_line.strip()) <= size[0]
        assert banner.region.y >= status.region.y + 1  # under the bar, not beneath it
