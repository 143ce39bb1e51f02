"""The console's keys as actions: each sends one engine command, after the checks and
confirmations the operator needs (focus-safe keys, summaries, typed words).

Why a mixin apart from :mod:`tui.app`: the app lays out panes and applies events; this is
the operator's side of the conversation. It reaches the engine only through its command
API (approve, reject, override, halt, resume, trade) and never signs anything.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from rich.text import Text
from textual.app import App
from textual.widget import Widget

from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.errors import ClaudeDexError
from tui.safe_text import SYMBOL_MAX, safe
from tui.screens.detail import DetailScreen
from tui.screens.dialogs import FilterScreen, HelpScreen, ResumeScreen
from tui.screens.forms import ConfirmScreen
from tui.screens.override import OverrideRequest, OverrideScreen
from tui.screens.views import VIEWS, view
from tui.state import ConsoleState
from tui.trading import TradeFlow
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.feed import PairFeed
from tui.widgets.log import LogPane
from tui.widgets.positions import PositionsPane
from tui.widgets.status import HaltBanner, StatusBar

W = TypeVar("W", bound=Widget)
QUIT_TITLE = "Quit with open positions?"


class ConsoleActions(App[None]):
    """The base of :class:`tui.app.ClaudeDexApp`, which sets these attributes."""

    engine: Engine
    state: ConsoleState
    trades: TradeFlow
    filter_text: str

    def _pane(self, kind: type[W]) -> W | None:
        """The pane of that type, or None when this console was built without it."""
        found = self.query(kind)
        return found.first() if found else None

    def now(self) -> float:
        return self.engine.clock.now()

    def decimals(self, token: str) -> int:
        return self.state.decimals(token)

    def log_line(self, level: str, text: str) -> None:
        log = self._pane(LogPane)
        if log is not None:
            log.add(level, text, self.now())

    async def read_wallet(self) -> None:
        raise NotImplementedError  # the app reads the wallet and redraws

    async def _command(self, what: str, call: Awaitable[Any]) -> bool:
        try:
            await call
        except ClaudeDexError as exc:
            self.notify(str(exc), title=f"{what} refused", severity="error", markup=False)
            self.log_line("error", f"{what} refused: {exc}")
            return False
        return True

    def _selected(self) -> TradeProposal | None:
        """The proposal under the cursor, only while the approvals pane has focus: a key
        meant for another pane must never decide a proposal the operator is not looking at."""
        approvals = self._pane(ApprovalsPane)
        if approvals is None or not approvals.has_focus:
            self.notify("select a proposal in the approvals pane", severity="warning",
                        markup=False)
            return None
        pid = approvals.selected_id
        if pid is None and self.state.proposals:
            pid = next(iter(self.state.proposals))
        proposal = self.state.proposals.get(pid) if pid else None
        if proposal is None:
            self.notify("no proposal is waiting", severity="warning", markup=False)
        return proposal

    def _show_halt(self) -> None:
        main = self.screen_stack[0]
        main.query_one(StatusBar).show(self.state)
        main.query_one(HaltBanner).show(self.state)
        for bar in self.screen.query(StatusBar):  # a history screen's own status bar
            bar.show(self.state)

    async def action_halt(self) -> None:
        """Emergency stop: persisted by the engine before anything else, no confirmation."""
        state = await self.engine.halt("emergency stop from the console", by="operator")
        self.state.halted, self.state.halt_reason = True, state.reason
        self._show_halt()

    def action_resume(self) -> None:
        if not self.engine.is_halted():
            self.notify("the engine is not halted", markup=False)
            return

        async def confirmed(ok: bool | None) -> None:
            if ok and await self._command("resume", self.engine.resume(confirm=True)):
                self.state.halted, self.state.halt_reason = False, ""
                self._show_halt()

        self.push_screen(ResumeScreen(), confirmed)

    def action_approve(self) -> None:
        proposal = self._selected()
        if proposal is None:
            return
        if proposal.side is Side.SELL:
            self.run_worker(self._command("approve", self.engine.approve(proposal.id)),
                            group="commands")
            return
        line = Text.assemble(f"buy {proposal.quote_value:,.4f} ETH of ",
                             safe(proposal.symbol or proposal.token, SYMBOL_MAX, style="bold"),
                             f"  ({proposal.verdict.value}, {proposal.id})")

        async def confirmed(ok: bool | None) -> None:
            if ok:
                await self._command("approve", self.engine.approve(proposal.id))

        self.push_screen(ConfirmScreen("Approve this buy?", [line], action="approve"),
                         confirmed)

    async def action_reject(self) -> None:
        proposal = self._selected()
        if proposal is not None:
            await self._command("reject", self.engine.reject(
                proposal.id, reason="rejected in the console"))

    def action_override(self) -> None:
        proposal = self._selected()
        if proposal is None:
            return
        if proposal.verdict is Verdict.SCAM:  # buy or sell: never from the console
            self.notify("a scam verdict cannot be overridden from the console",
                        severity="error", markup=False)
            self.log_line("error", f"override refused for {proposal.id}: scam verdict")
            return
        decimals = 18 if proposal.side is Side.BUY else self.decimals(proposal.token)

        async def submitted(request: OverrideRequest | None) -> None:
            if request is None:
                return
            await self._command("override", self.engine.override(
                proposal.id, amount_in=request.amount_in, slippage_bps=request.slippage_bps,
                accept_risky=request.accept_risky, confirmation=request.confirmation))

        self.push_screen(OverrideScreen(proposal, decimals), submitted)

    def action_buy(self) -> None:
        self.trades.buy()

    def action_close_position(self) -> None:
        positions = self._pane(PositionsPane)
        token = positions.selected_token if positions is not None else None
        if positions is None or not positions.has_focus or token is None:
            self.notify("select a position in the positions pane", severity="warning",
                        markup=False)
            return
        self.trades.close(token)

    async def action_quit(self) -> None:
        """Quitting stops the engine: open positions are then not watched. Ask first."""
        open_positions = [p for p in self.state.positions.values() if p.amount > 0]
        asking = isinstance(self.screen, ConfirmScreen) and self.screen.title_text == QUIT_TITLE
        if not open_positions or asking:  # ctrl+q twice: the second one confirms
            self.exit()
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.exit()

        self.push_screen(ConfirmScreen(QUIT_TITLE, [
            f"{len(open_positions)} position(s) are open.",
            Text("Quitting stops the engine: nothing watches their stop-loss or "
                 "take-profit until you run claudedex again.", style="bold yellow")],
            action="quit"), confirmed)

    def action_details(self) -> None:
        pair: str | None = None
        approvals = self._pane(ApprovalsPane)
        if approvals is not None and approvals.has_focus and approvals.selected_id:
            proposal = self.state.proposals.get(approvals.selected_id)
            pair = proposal.pair.lower() if proposal else None
        feed = self._pane(PairFeed)
        if pair is None and feed is not None:
            pair = feed.selected_pair
        row = self.state.pairs.get(pair) if pair else None
        if row is None:
            self.notify("select a pair first", severity="warning", markup=False)
            return
        self.push_screen(DetailScreen(row))

    def action_filter(self) -> None:
        def chosen(text: str | None) -> None:
            feed = self._pane(PairFeed)
            if text is not None and feed is not None:
                self.filter_text = text
                feed.set_filter(text, self.state.pairs.values(), self.now())

        self.push_screen(FilterScreen(self.filter_text), chosen)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_view(self, name: str) -> None:
        """One of the history screens: wallet, history, exits, decisions."""
        if name not in VIEWS:
            return
        if name == "wallet":
            self.run_worker(self.read_wallet(), group="wallet", exit_on_error=False)
        self.push_screen(view(name))

    def action_log(self) -> None:
        """The log and alerts over the whole screen (escape or z restores)."""
        log = self._pane(LogPane)
        if log is not None:
            log.focus()
            self.screen.maximize(log, container=False)

    def action_zoom(self) -> None:
        """Maximise the focused pane, or restore the layout when one is maximised."""
        if self.screen.maximized is not None:
            self.screen.minimize()
            return
        focused = self.focused
        if isinstance(focused, Widget):
            self.screen.maximize(focused, container=False)
