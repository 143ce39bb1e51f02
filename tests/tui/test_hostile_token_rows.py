"""A token with hostile metadata in the console: a 10 kB symbol full of escape codes and
markup stays one capped row, and decimals of 2**256-1 show '?' instead of raising (the
override dialog refuses a typed size for such a token)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import Input, Label

from claudedex.domain import Finding, PairInfo, RiskReport, Severity, Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.events import (
    BlockSeen,
    Event,
    PairDiscovered,
    PositionChanged,
    RiskAssessed,
    TradeProposed,
)
from tui.sample_events import CHAIN, NOW, T0, WETH, addr
from tui.screens.detail import DetailScreen
from tui.screens.override import OverrideScreen, parse_size
from tui.state import PairRow
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.approvals import cells as proposal_cells
from tui.widgets.feed import COLUMNS, PairFeed, layout, row_cells
from tui.widgets.positions import SIZE, PositionsPane
from tui.widgets.positions import cells as position_cells

from .conftest import make_app, replay

U256_MAX = 2**256 - 1
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m[bold red]RUG[/]\u202e\u200b\r\n\t\x9b"
HOSTILE_SYMBOL = (ESCAPES * 400)[:10_240]  # 10 kB
HOSTILE_NAME = "bad\ufffd\ufffdutf8" + ESCAPES
ROW_WIDTH = 1 + sum(width + 1 for _, _, width, _ in COLUMNS)


def hostile_info(decimals: int = U256_MAX) -> PairInfo:
    return PairInfo(chain_id=CHAIN, venue="uniswap", pair=addr(9, "b"), token=addr(9, "c"),
                    quote=WETH, block_number=1_300, symbol=HOSTILE_SYMBOL, name=HOSTILE_NAME,
                    decimals=decimals)


def report(info: PairInfo) -> RiskReport:
    """What safety reports on such a token (claudedex.tokenmeta.metadata_findings)."""
    return RiskReport(token=info.token, pair=info.pair, verdict=Verdict.RISKY, findings=(
        Finding("BAD_DECIMALS", Severity.HIGH, "decimals() returned 1157…(78 digits)",
                {"raw": str(U256_MAX), "accepted": "0-36"}),
        Finding("ODD_METADATA", Severity.LOW, "name()/symbol() held control characters",
                {"symbol": HOSTILE_SYMBOL[:64], "name": HOSTILE_NAME})),
        liquidity_quote=10**18, block_number=1_300)


def rendered(text: Text, width: int = 400) -> str:
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    with console.capture() as capture:
        console.print(text, soft_wrap=True)
    return capture.get()


def assert_one_inert_line(text: Text, width: int) -> None:
    out = rendered(text)
    plain = text.plain
    assert "\n" not in plain and "\r" not in plain and len(plain) <= width
    assert not any(ch in plain for ch in "\x1b\x07\x9b\u202e\u200b")
    assert out.count("\n") == 1  # one line on a real terminal, too
    for span in text.spans:  # the markup in the symbol never became a style
        assert "red" not in str(span.style)


def test_a_10kb_symbol_with_escapes_is_one_capped_feed_row() -> None:
    row = PairRow(info=hostile_info(), seen_at=NOW, seq=1, report=report(hostile_info()))
    line = layout(row_cells(row, NOW))
    assert_one_inert_line(line, ROW_WIDTH)
    assert len(line.plain) == ROW_WIDTH
    assert " ]0;pwned[2J[31m… 0xbbbb…0009 " in line.plain  # symbol capped at 16, then pair


@pytest.mark.parametrize("decimals", [U256_MAX, 37, -1])
def test_hostile_decimals_show_a_question_mark(decimals: int) -> None:
    position = PositionChanged(token=addr(9, "c"), symbol=HOSTILE_SYMBOL, amount=U256_MAX,
                               cost_quote=10**17, mark_quote=10**16, realized_quote=0)
    cells = position_cells(position, decimals)
    assert cells[SIZE].plain == "?"
    assert_one_inert_line(cells[0], 16)
    assert position_cells(position, 0)[SIZE].plain.startswith("115,792,089")


def test_proposal_cells_are_inert() -> None:
    proposal = TradeProposal(id="p-9", token=addr(9, "c"), pair=addr(9, "b"), venue="uniswap",
                             side=Side.SELL, amount_in=U256_MAX, min_amount_out=0,
                             quote_value=Decimal("0.1"), slippage_bps=300,
                             verdict=Verdict.RISKY, symbol=HOSTILE_SYMBOL)
    for cell in proposal_cells(proposal):
        assert_one_inert_line(cell, 40)


@pytest.mark.parametrize("decimals", [U256_MAX, 37, -1])
def test_a_typed_size_is_refused_for_hostile_decimals(decimals: int) -> None:
    with pytest.raises(ValueError, match="0-36 accepted"):
        parse_size("1", decimals)


@pytest.mark.parametrize("typed", ["1e999999", "1e60"])
def test_a_huge_typed_size_is_refused_not_an_overflow(typed: str) -> None:
    with pytest.raises(ValueError, match="too large"):
        parse_size(typed, 18)


async def test_console_survives_a_hostile_token(engine: Engine) -> None:
    info = hostile_info()
    proposal = TradeProposal(id="p-9", token=info.token, pair=info.pair, venue="uniswap",
                             side=Side.SELL, amount_in=5 * 10**20, min_amount_out=1,
                             quote_value=Decimal("0.1"), slippage_bps=300,
                             verdict=Verdict.RISKY, symbol=HOSTILE_SYMBOL)
    events: list[Event] = [
        BlockSeen(ts=T0, chain_id=CHAIN, number=1_300, base_fee_wei=10**9),
        PairDiscovered(ts=T0 + 1, pair=info),
        RiskAssessed(ts=T0 + 2, report=report(info)),
        PositionChanged(ts=T0 + 3, token=info.token, symbol=HOSTILE_SYMBOL, amount=10**21,
                        cost_quote=10**17, mark_quote=10**16, realized_quote=0),
        TradeProposed(ts=T0 + 4, proposal=proposal),
    ]
    app = make_app(engine)
    async with app.run_test(size=(180, 50)) as pilot:
        await replay(pilot, events)
        feed = app.query_one(PairFeed)
        assert feed.row_count == 1
        label = feed.cell(info.pair, "pair").plain
        assert len(label) <= 40 and "\x1b" not in label
        positions = app.query_one(PositionsPane)
        assert positions.row_count == 1
        assert positions.get_row_at(0)[SIZE].plain == "?"
        assert app.query_one(ApprovalsPane).row_count == 1
        assert "\x1b" not in app.export_screenshot()

        feed.focus()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        shot = app.export_screenshot()
        assert "BAD_DECIMALS" in shot and "\x1b]0" not in shot
        await pilot.press("escape")
        await pilot.pause()

        approvals = app.query_one(ApprovalsPane)
        approvals.focus()
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        app.screen.query_one("#size", Input).focus()
        await pilot.press("1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)  # refused, still asking
        error = app.screen.query_one("#error", Label)
        assert "0-36 accepted" in str(error.render())
