"""Console v2: manual buy / close from the console, keys that act only in their pane,
an override dialog that a burst of keys or a paste cannot scramble, and a quit that asks.

The engine is real; only ``trade`` is replaced (by a subclass that records each request and
answers like the gate) because the gate itself is tested in the kernel's suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input, Label

from claudedex.clock import ManualClock
from claudedex.config import load_profile
from claudedex.domain import Side
from claudedex.engine import Engine
from claudedex.events import Event, ProposalDecided
from claudedex.trade_request import TradeRefused, TradeRequest, TradeResult
from tui.app import ClaudeDexApp
from tui.sample_events import NOW, addr
from tui.screens.forms import ConfirmScreen
from tui.screens.override import OverrideScreen
from tui.screens.trade import BuyScreen
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.feed import PairFeed
from tui.widgets.positions import PositionsPane

from .conftest import make_app, replay
from .test_app_pilot import SIZE, pending_ids, select_proposal

ETH = 10**18
TOKEN = "0x" + "ab" * 20


class RecordingEngine(Engine):
    """A real engine whose ``trade`` records the request and answers like the gate."""

    verdict = "safe"
    refuse = ""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.requests: list[TradeRequest] = []

    async def trade(self, request: TradeRequest, progress=None) -> TradeResult:  # type: ignore[no-untyped-def,override]
        self.requests.append(request)
        if self.refuse:
            raise TradeRefused(self.refuse)
        amount_in = 190_000 * ETH if request.amount == "all" else int(float(request.amount) * ETH)
        return TradeResult(order_id="m-1", state="simulated" if request.dry_run else "filled",
                           verdict=self.verdict, amount_in=amount_in, amount_out=1_234 * ETH,
                           amount_out_min=1_200 * ETH, tx_hash="" if request.dry_run else "0xt")


@pytest.fixture
def rec(tmp_path: Path) -> RecordingEngine:
    return RecordingEngine(load_profile("devnet"), data_dir=tmp_path / "data",
                           clock=ManualClock(NOW), wire=False)


def burst(app: ClaudeDexApp, keys: list[str]) -> None:
    """Post every key at once, with no pause between them (a paste or loaded machine)."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key) if not key.isalnum() else key,
                                        key))
        else:
            app.post_message(events.Key(key, {"tab": "\t", "enter": "\r"}.get(key)))


def screen_text(app: ClaudeDexApp) -> str:
    return " ".join(str(label.render()) for label in app.screen.query(Label))


def toasts(app: ClaudeDexApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_decision_keys_act_only_in_the_approvals_pane(engine: Engine,
                                                            recorded: list[Event]) -> None:
    """The reported bug: with the feed focused, ``a`` approved another token."""
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        app.query_one(PairFeed).focus()
        await pilot.press("a", "r", "o")
        await pilot.pause()
        assert pending_ids(engine) == ["p-1", "p-2", "p-3"]
        assert not isinstance(app.screen, (ConfirmScreen, OverrideScreen))
        assert "select a proposal in the approvals pane" in toasts(app)
        await pilot.press("c")
        assert "select a position in the positions pane" in toasts(app)


async def test_footer_shows_the_keys_of_the_focused_pane(engine: Engine,
                                                         recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)

        def shown() -> set[str]:
            return {k for k, b in app.screen.active_bindings.items() if b.binding.show}

        app.query_one(PairFeed).focus()
        await pilot.pause()
        assert {"a", "r", "o", "c"}.isdisjoint(shown()) and "b" in shown()
        app.query_one(ApprovalsPane).focus()
        await pilot.pause()
        assert {"a", "r", "o"} <= shown() and "c" not in shown()
        app.query_one(PositionsPane).focus()
        await pilot.pause()
        assert "c" in shown() and "a" not in shown()


async def test_reject_needs_no_confirmation_but_approve_of_a_buy_does(
        engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-1")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "0.1000 ETH" in screen_text(app) or "ETH of" in screen_text(app)
        assert "PEPE2" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert pending_ids(engine) == ["p-1", "p-2", "p-3"]
        await select_proposal(app, pilot, "p-2")
        await pilot.press("r")
        await pilot.pause()
        assert pending_ids(engine) == ["p-1", "p-3"]


async def test_override_burst_keeps_fields_apart_and_shows_a_summary(
        engine: Engine, recorded: list[Event]) -> None:
    """``0.03<tab>120<enter><enter>`` with no pauses: size 0.03, slippage 120, and the
    type-ahead enter does not confirm the summary the operator has not seen."""
    app = make_app(engine)
    decisions = engine.bus.subscribe("test-decisions", [ProposalDecided.topic])
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-1")
        await pilot.press("o")
        await pilot.pause()
        burst(app, [*"0.03", "tab", *"120", "enter", "enter"])
        for _ in range(5):
            await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        summary = screen_text(app)
        assert "→ 0.03 ETH" in summary and "→ 120 bps" in summary
        assert "p-1" in pending_ids(engine)  # nothing sent by the type-ahead enter
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        decided = decisions.get_nowait()
        assert isinstance(decided, ProposalDecided) and decided.proposal is not None
        assert decided.proposal.amount_in == 3 * 10**16
        assert decided.proposal.slippage_bps == 120


async def test_override_paste_fills_one_field_each(engine: Engine,
                                                   recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await select_proposal(app, pilot, "p-1")
        await pilot.press("o")
        await pilot.pause()
        app.post_message(events.Paste("0.03\t120"))
        await pilot.pause()
        assert app.screen.query_one("#size", Input).value == "0.03"
        assert app.screen.query_one("#slippage", Input).value == "120"
        # letters cannot get into the numeric fields at all
        app.screen.query_one("#size", Input).focus()
        await pilot.press(*"x1")
        assert app.screen.query_one("#size", Input).value == "0.031"


async def test_buy_by_address_quotes_then_sends_on_enter(rec: RecordingEngine,
                                                         recorded: list[Event]) -> None:
    app = make_app(rec)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BuyScreen)
        await pilot.press(*TOKEN, "tab", *"0.05", "tab", *"150", "enter")
        await pilot.pause()
        await pilot.pause()
        assert len(rec.requests) == 1 and rec.requests[0].dry_run  # a quote, not a trade
        assert (rec.requests[0].side, rec.requests[0].amount,
                rec.requests[0].slippage_bps) == (Side.BUY, "0.05", 150)
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        for part in ("0.05 ETH", "1234 tokens", "at least 1200", "150 bps", "SAFE"):
            assert part in text
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        sent = rec.requests[-1]
        assert len(rec.requests) == 2 and not sent.dry_run and sent.override == ""
        assert sent.token.lower() == TOKEN and sent.by == "console"
        assert any("filled" in t for t in toasts(app))


async def test_risky_buy_needs_the_typed_word(rec: RecordingEngine,
                                              recorded: list[Event]) -> None:
    rec.verdict = "risky"
    app = make_app(rec)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("b", *TOKEN, "tab", *"0.05", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "RISKY" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert len(rec.requests) == 1  # still asking
        await pilot.press(*"RISKY", "enter")
        await pilot.pause()
        await pilot.pause()
        assert len(rec.requests) == 2 and rec.requests[1].override == "risky"


async def test_scam_buy_is_refused_with_its_reason(rec: RecordingEngine,
                                                   recorded: list[Event]) -> None:
    rec.refuse = "scam verdict: honeypot (sell reverts)"
    app = make_app(rec)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("b", *TOKEN, "tab", *"0.05", "enter")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(rec.requests) == 1 and rec.requests[0].dry_run
        assert any("honeypot" in t for t in toasts(app))


async def test_buy_dialog_refuses_a_bad_address_without_calling_the_engine(
        rec: RecordingEngine, recorded: list[Event]) -> None:
    app = make_app(rec)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        await pilot.press("b", *"0x12", "tab", *"0.05", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BuyScreen) and rec.requests == []
        assert "not an address" in screen_text(app)


async def test_close_sells_all_of_the_selected_position(rec: RecordingEngine,
                                                        recorded: list[Event]) -> None:
    app = make_app(rec)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        positions = app.query_one(PositionsPane)
        positions.focus()
        positions.move_cursor(row=0)
        await pilot.pause()
        token = positions.selected_token
        assert token is not None
        await pilot.press("c")
        await pilot.pause()
        await pilot.pause()
        assert rec.requests[0].side is Side.SELL and rec.requests[0].amount == "all"
        assert rec.requests[0].dry_run and rec.requests[0].token == token
        assert isinstance(app.screen, ConfirmScreen) and "whole position" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert not rec.requests[-1].dry_run and rec.requests[-1].amount == "all"
    assert token in (addr(1, "c").lower(), addr(4, "c").lower())


async def test_quit_with_open_positions_asks(engine: Engine, recorded: list[Event]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await replay(pilot, recorded)
        exits: list[object] = []
        setattr(app, "exit", lambda *a, **k: exits.append(a))  # noqa: B010 - record, not quit
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and exits == []
        assert "nothing watches their stop-loss" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert exits == [()]


async def test_quit_without_positions_does_not_ask(engine: Engine) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        exits: list[object] = []
        setattr(app, "exit", lambda *a, **k: exits.append(a))  # noqa: B010
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and exits == [()]
