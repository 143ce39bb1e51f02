"""Console v2, continued: proposals with age, expiry and what sized them; pending buys
shown as pending; the feed's filter title, venue, "cannot sell" and why a score is missing;
history screens; a maximised log; bell and toasts (and the profile switches); help, the
command palette and an exact RESUME; the first frame before the engine has started.

The engine is real (``wire=False``), fed the recorded session; where the console reads the
wallet or stored fills, a subclass answers those two reads (the chain is tested elsewhere).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import DataTable

from claudedex.clock import ManualClock
from claudedex.config import load_profile
from claudedex.domain import PairInfo, RiskReport, Side, Verdict
from claudedex.engine import Engine
from claudedex.events import (
    AlertRaised,
    Event,
    OrderFilled,
    OrderUpdated,
    PairDiscovered,
    ProposalDecided,
    RiskAssessed,
    TradeProposed,
)
from tui.app import ClaudeDexApp
from tui.commands import ConsoleCommands
from tui.sample_events import CHAIN, NOW, WETH, addr, proposal
from tui.screens.dialogs import HelpScreen, ResumeScreen
from tui.screens.views import TableScreen
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.feed import PairFeed
from tui.widgets.log import LogPane

from .conftest import make_app, replay
from .test_app_pilot import SIZE

ETH = 10**18


def screen_lines(app: ClaudeDexApp) -> list[str]:
    """The terminal as the operator reads it: one string per line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def table_text(table: DataTable[object]) -> str:
    return " ".join(str(getattr(cell, "plain", cell)) for row in range(table.row_count)
                    for cell in table.get_row_at(row))


class WalletEngine(Engine):
    """A real engine whose two console reads (wallet, stored fills) answer fixed values."""

    fills: list[OrderFilled] = []

    async def wallet_balance(self) -> tuple[str, int] | None:
        return "0x" + "11" * 20, 5 * ETH

    async def past_fills(self) -> list[OrderFilled]:
        return list(self.fills)


@pytest.fixture
def wallet_engine(tmp_path: Path) -> WalletEngine:
    return WalletEngine(load_profile("devnet"), data_dir=tmp_path / "data",
                        clock=ManualClock(NOW), wire=False)


async def test_proposals_show_age_expiry_and_what_decided_the_size(
        engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        approvals = app.query_one(ApprovalsPane)
        row = [cell.plain for cell in approvals.get_row("p-1")]
        assert "9 s" in row  # received at T0+81, now T0+90
        assert "in 1 min" in row  # 120 s to live, 111 s left
        assert "fixed sizing" in " ".join(row)  # the sizing rule, not the volatility factor
        taxy = " ".join(cell.plain for cell in approvals.get_row("p-2"))
        assert "price impact" in taxy and "tax 0.70" in taxy  # the cap, then a high factor
        assert "expire after 120 s" in str(approvals.border_subtitle)


async def test_pending_buys_are_pending_not_open_positions(engine: Engine,
                                                           recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        screen = "\n".join(screen_lines(app))
        assert "2 open + 2 pending / 5 max" in screen  # two held, two buys waiting
        assert "3 pending │ 2 open" in screen_lines(app)[0]  # the status bar


async def test_feed_title_venue_cannot_sell_and_why_no_score(engine: Engine,
                                                             recorded: list[Event]) -> None:
    unscored = PairInfo(chain_id=CHAIN, venue="sushiswap", pair=addr(7, "b"),
                        token=addr(7, "c"), quote=WETH, block_number=1_215, symbol="NEWB")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, [*recorded, PairDiscovered(ts=NOW, pair=unscored)])
        feed = app.query_one(PairFeed)
        assert feed.cell(addr(3, "b"), "taxes").plain == "cannot sell"  # the honeypot
        assert feed.cell(addr(7, "b"), "venue").plain == "sushiswap"
        assert feed.cell(addr(7, "b"), "score").plain == "no report"  # safety first
        await replay(pilot, [RiskAssessed(ts=NOW, report=RiskReport(
            token=unscored.token, pair=unscored.pair, verdict=Verdict.SAFE, findings=()))])
        assert feed.cell(addr(7, "b"), "score").plain == "in 13 blk"  # block 1,222 of 1,235
        await replay(pilot, [AlertRaised(level="warning", source="ml",
                                         message="ML scoring off: no model")])
        assert feed.cell(addr(7, "b"), "score").plain == "ML off"
        feed.set_filter("sushi", app.state.pairs.values())
        title = str(feed.border_title)
        assert feed.row_count == 1 and "filter:" in title and "sushi" in title


async def test_history_screens_show_orders_exits_and_decisions(
        engine: Engine, recorded: list[Event]) -> None:
    exit_prop = dataclasses.replace(proposal(1, Side.SELL, Verdict.SAFE, "PEPE2", "0.2"),
                                    id="x-1", strategy="exit", reason="stop_loss -15%")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, [
            *recorded,
            ProposalDecided(proposal_id="x-1", decision="approved", by="auto:exit",
                            proposal=exit_prop),
            OrderUpdated(order_id="o-x-1", state="failed", detail="reverted: K"),
            OrderFilled(order_id="o-2", token=addr(1, "c"), side="sell",
                        amount_in=95_000 * ETH, amount_out=ETH // 8, gas_cost_wei=0,
                        tx_hash="0x" + "cd" * 32, block_number=1_223)])
        for key, expected in (("h", ("filled", "sell", "+0.0250 Ξ")),
                              ("e", ("stop_loss -15%", "failed", "reverted: K")),
                              ("s", ("dropped", "positions open or pending", "cooldown",
                                     "sized by fixed sizing")),
                              ("w", ("PEPE2", "190,000.00"))):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, TableScreen)
            text = table_text(app.screen.query_one(DataTable))
            for word in expected:
                assert word.lower() in text.lower(), (key, word, text)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, TableScreen)


async def test_the_log_can_be_maximised_and_restored(engine: Engine,
                                                     recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await replay(pilot, recorded)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen.maximized, LogPane)
        assert app.query_one(LogPane).size.height > 15  # most of the 24 rows
        assert "ctrl+x = STOP" in screen_lines(app)[0]  # the status bar stays
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is None


@pytest.mark.parametrize("cues_on", [True, False])
async def test_bell_and_toast_on_new_proposals_and_failed_exits(
        tmp_path: Path, recorded: list[Event], cues_on: bool) -> None:
    profile = load_profile("devnet")
    console = profile.console.model_copy(update={
        "bell_on_proposal": cues_on, "toast_on_proposal": cues_on,
        "bell_on_failed_exit": cues_on, "toast_on_failed_exit": cues_on})
    engine = Engine(profile.model_copy(update={"console": console}),
                    data_dir=tmp_path / "data", clock=ManualClock(NOW), wire=False)
    exit_prop = dataclasses.replace(proposal(9, Side.SELL, Verdict.SAFE, "PEPE2", "0.2"),
                                    id="x-9", strategy="exit", reason="stop_loss -15%")
    app = make_app(engine)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, [
            TradeProposed(ts=NOW, proposal=proposal(8, Side.BUY, Verdict.SAFE, "NEW", "0.1")),
            ProposalDecided(proposal_id="x-9", decision="approved", by="auto:exit",
                            proposal=exit_prop),
            OrderUpdated(order_id="o-x-9", state="failed", detail="reverted")])
        titles = [n.title for n in app._notifications]
        assert ("new proposal" in titles) is cues_on
        assert ("EXIT FAILED" in titles) is cues_on
        assert (len(bells) == 2) is cues_on and (not bells) is not cues_on


async def test_help_lists_every_key(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(screen_lines(app))
        for key in ("ctrl+x", "↑ ↓", "home / end", "pgup / pgdn", "escape", "mouse", "tab",
                    "ctrl+p", "w", "h", "e", "s", "l", "z", "enter"):
            assert key in text, key


async def test_command_palette_offers_the_console_commands(engine: Engine,
                                                           recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        provider = ConsoleCommands(app.screen)
        titles = [hit.text async for hit in provider.discover()]
        for title in ("Halt: emergency stop", "Resume trading", "Close position",
                      "Buy by address", "Filter the pair feed", "Wallet balances",
                      "Decision log"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"halt")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert engine.is_halted()  # the palette ran the same halt as ctrl+x


async def test_resume_accepts_only_resume_exactly(engine: Engine,
                                                  recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("ctrl+x", "ctrl+r")
        await pilot.pause()
        for wrong in ("resume", "Resume", " RESUME"):
            assert isinstance(app.screen, ResumeScreen)
            await pilot.press(*wrong, "enter")
            await pilot.pause()
            assert engine.is_halted()
            app.screen.query_one("#confirm").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"RESUME", "enter")
        await pilot.pause()
        await pilot.pause()
        assert not engine.is_halted()


async def test_first_frame_before_the_engine_has_started(wallet_engine: WalletEngine) -> None:
    """``boot``: the console draws at once, says it is starting, then shows the wallet's
    equity and the restored trades as soon as the engine runs."""
    wallet_engine.fills = [OrderFilled(order_id="o-old", token=addr(1, "c"), side="buy",
                                       amount_in=ETH, amount_out=1_000 * ETH, gas_cost_wei=0,
                                       tx_hash="0x1", block_number=1)]
    app = ClaudeDexApp(wallet_engine, boot=True, tick_interval=0.0, age_refresh_s=0)
    async with app.run_test(size=(80, 24)) as pilot:
        first = " ".join(screen_lines(app))
        assert "ctrl+x = STOP" in first
        for _ in range(200):
            await pilot.pause()
            if app.state.wallet_quote is not None and app.state.history.orders:
                break
        assert not app.state.starting
        await pilot.pause()
        status = screen_lines(app)[0]
        assert "RUNNING" in status and "wallet Ξ 5.0000" in status  # before the first mark
        assert "o-old" in app.state.history.orders  # restored from the stored fills
    await wallet_engine.stop()


async def test_a_tick_does_not_move_the_position_cursor(engine: Engine,
                                                        recorded: list[Event]) -> None:
    """A price tick re-marks positions; the row the operator selected for ``c`` stays."""
    from claudedex.events import PositionChanged
    from tui.widgets.positions import PositionsPane

    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        positions = app.query_one(PositionsPane)
        positions.focus()
        await pilot.press("down")
        chosen = positions.selected_token
        assert chosen == addr(4, "c").lower()
        await replay(pilot, [PositionChanged(token=addr(1, "c"), symbol="PEPE2",
                                             amount=190_000 * ETH, cost_quote=ETH // 5,
                                             mark_quote=ETH // 4, realized_quote=0)])
        assert positions.selected_token == chosen


async def test_expiry_counts_down_without_rebuilding_the_queue(engine: Engine,
                                                               recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        approvals = app.query_one(ApprovalsPane)
        approvals.focus()
        await pilot.press("down")
        assert approvals.selected_id == "p-2"
        clock = engine.clock
        assert isinstance(clock, ManualClock)
        clock.advance_to(NOW + 100.0)  # p-2 arrived at T0+82: 120 s to live, 12 s left
        app._refresh_ages()
        await pilot.pause()
        row = [cell.plain for cell in approvals.get_row("p-2")]
        assert "in 12 s" in row and "1 min" in row  # expiry and age moved on
        assert approvals.selected_id == "p-2"  # the cursor did not move
