"""The operator console: panes fed by engine events, keys that send engine commands.

Attributes down, messages up: the single pump worker (:mod:`tui.bridge`) posts engine events
as messages; the app applies them to :class:`tui.state.ConsoleState` and hands the changed
parts to the panes. Keys become engine commands (approve, reject, override, halt, resume);
the console never signs anything. The emergency stop (``ctrl+x``) is a priority binding, so
it works from every screen and dialog, with no confirmation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Footer

from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.errors import ClaudeDexError
from tui.bridge import TICK_INTERVAL_S, pump
from tui.messages import EngineEvents, PairSelected, PriceTicks, ProposalSelected
from tui.safe_text import SYMBOL_MAX, safe
from tui.screens.detail import DetailScreen
from tui.screens.dialogs import FilterScreen, HelpScreen, ResumeScreen
from tui.screens.forms import ConfirmScreen
from tui.screens.override import OverrideRequest, OverrideScreen
from tui.state import Changes, ConsoleState
from tui.trading import TradeFlow
from tui.widgets.approvals import ApprovalsPane
from tui.widgets.feed import PairFeed
from tui.widgets.log import LogPane
from tui.widgets.pnl import PnlPane
from tui.widgets.positions import PositionsPane
from tui.widgets.risk import RiskPane
from tui.widgets.status import HaltBanner, StatusBar

W = TypeVar("W", bound=Widget)
PANES = ("feed", "approvals", "positions", "pnl", "risk", "log")
MAIN_ONLY = {"approve", "reject", "override", "details", "filter", "help", "resume", "buy",
             "close_position"}
QUIT_TITLE = "Quit with open positions?"


class ClaudeDexApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "ClaudeDex"
    BINDINGS = [
        Binding("ctrl+x", "halt", "STOP", priority=True, key_display="^X"),
        # a/r/o and c are shown by their panes (ApprovalsPane, PositionsPane) when focused;
        # these hidden twins only say where to go when another pane has focus
        Binding("a", "approve", "Approve", show=False),
        Binding("r", "reject", "Reject", show=False),
        Binding("o", "override", "Override", show=False),
        Binding("c", "close_position", "Close", show=False),
        Binding("b", "buy", "Buy"),
        Binding("d", "details", "Details"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("ctrl+r", "resume", "Resume", key_display="^R"),
    ]

    def __init__(self, engine: Engine, *, panes: Iterable[str] = PANES,
                 start_engine: bool = False, tick_interval: float = TICK_INTERVAL_S,
                 age_refresh_s: float = 1.0, exit_after: float | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.panes = frozenset(panes)
        self.start_engine = start_engine
        self.tick_interval = tick_interval
        self.age_refresh_s = age_refresh_s
        self.exit_after = exit_after
        self.state = ConsoleState(profile=engine.profile.name,
                                  chain=f"{engine.profile.chain.name} "
                                        f"({engine.profile.chain.chain_id})",
                                  signer=engine.signer_kind)
        self.selected_proposal: str | None = None
        self.filter_text = ""
        self._sub = engine.events(name="tui")
        self.trades = TradeFlow(self)

    # -- layout -------------------------------------------------------------------------

    def _panes(self, *names: str) -> list[Widget]:
        make: dict[str, Callable[[], Widget]] = {
            "feed": lambda: PairFeed(self.now, id="feed"),
            "approvals": lambda: ApprovalsPane(id="approvals"),
            "positions": lambda: PositionsPane(id="positions"), "pnl": lambda: PnlPane(id="pnl"),
            "risk": lambda: RiskPane(id="risk"), "log": lambda: LogPane(id="log"),
        }
        return [make[name]() for name in names if name in self.panes]

    def compose(self) -> ComposeResult:
        yield HaltBanner(id="banner")
        yield StatusBar(id="status")
        for row_id, names in (("top", ("feed", "approvals")),
                              ("middle", ("positions", "pnl", "risk"))):
            widgets = self._panes(*names)
            if widgets:
                yield Horizontal(*widgets, id=row_id)
        yield from self._panes("log")
        yield Footer()

    def _pane(self, kind: type[W]) -> W | None:
        """The pane of that type, or None when this console was built without it."""
        found = self.query(kind)
        return found.first() if found else None

    # -- lifecycle ----------------------------------------------------------------------

    async def on_mount(self) -> None:
        self.run_worker(pump(self._sub, self.post_message, self.tick_interval),
                        name="engine-events", group="engine", exit_on_error=True)
        if self.start_engine:
            await self.engine.start()
        status = await self.engine.status()
        self.state.block = status.block
        self.state.halted = status.halted
        self.state.halt_reason = status.halt_reason
        self.state.seed_proposals(self.engine.pending_proposals())
        self._render(Changes(proposals=True, positions=True, equity=True, status=True))
        if self.age_refresh_s > 0:
            self.set_interval(self.age_refresh_s, self._refresh_ages)
        if self.exit_after is not None:
            self.set_timer(self.exit_after, self.exit)
        feed = self._pane(PairFeed)
        if feed is not None:
            feed.focus()

    async def on_unmount(self) -> None:
        self._sub.close()
        if self.start_engine:
            await self.engine.stop()

    def now(self) -> float:
        return self.engine.clock.now()

    # -- messages up --------------------------------------------------------------------

    def on_engine_events(self, message: EngineEvents) -> None:
        changes = Changes()
        now = self.now()
        for event in message.events:
            self.state.apply(event, changes, now)
        self._render(changes)

    def on_price_ticks(self, message: PriceTicks) -> None:
        changes = Changes()
        now = self.now()
        for tick in message.ticks.values():
            self.state.apply(tick, changes, now)
        feed = self._pane(PairFeed)
        if feed is not None:
            feed.update_liquidity(self.state.pairs[k] for k in changes.pairs)
        self._refresh_detail(changes.pairs)

    def on_proposal_selected(self, message: ProposalSelected) -> None:
        self.selected_proposal = message.proposal_id
        self._show_risk()

    def on_pair_selected(self, message: PairSelected) -> None:
        message.stop()

    def on_pair_feed_opened(self, message: PairFeed.Opened) -> None:
        message.stop()
        self.action_details()

    # -- attributes down ----------------------------------------------------------------

    def _render(self, changes: Changes) -> None:
        state = self.state
        if changes.pairs and (feed := self._pane(PairFeed)) is not None:
            rows = sorted((state.pairs[k] for k in changes.pairs), key=lambda r: r.seq)
            feed.upsert(rows, self.now())
        if changes.proposals and (approvals := self._pane(ApprovalsPane)) is not None:
            approvals.set_proposals(state.proposals.values())
            if approvals.selected_id is None:
                self.selected_proposal = None
        if changes.positions and (positions := self._pane(PositionsPane)) is not None:
            positions.set_positions((p, self.decimals(p.token))
                                    for p in state.positions.values())
        if changes.equity and (pnl := self._pane(PnlPane)) is not None:
            pnl.show(state)
        if changes.proposals or changes.positions or changes.equity:
            self._show_risk()
        if changes.status or changes.proposals:
            self.query_one(StatusBar).show(state)
            self.query_one(HaltBanner).show(state)
        if changes.logs and (log := self._pane(LogPane)) is not None:
            now = self.now()
            for level, text in changes.logs:
                log.add(level, text, now)
        self._refresh_detail(changes.pairs)

    def _show_risk(self) -> None:
        risk = self._pane(RiskPane)
        if risk is not None:
            proposal = self.state.proposals.get(self.selected_proposal or "")
            risk.show(self.state, self.engine.profile.limits, proposal)

    def _refresh_detail(self, pairs: set[str]) -> None:
        screen = self.screen
        if isinstance(screen, DetailScreen) and screen.row.info.pair.lower() in pairs:
            screen.show()

    def _refresh_ages(self) -> None:
        feed = self._pane(PairFeed)
        if feed is not None:
            feed.refresh_ages(self.state.pairs, self.now())

    def decimals(self, token: str) -> int:
        row = self.state.pair_for_token(token)
        return row.info.decimals if row is not None else 18

    def log_line(self, level: str, text: str) -> None:
        log = self._pane(LogPane)
        if log is not None:
            log.add(level, text, self.now())

    # -- keys → engine commands -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Trading keys act on the main screen only; the stop key works everywhere."""
        if action in MAIN_ONLY and len(self.screen_stack) > 1:
            return False
        return True

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

    async def action_halt(self) -> None:
        """Emergency stop: persisted by the engine before anything else, no confirmation."""
        state = await self.engine.halt("emergency stop from the console", by="operator")
        self.state.halted, self.state.halt_reason = True, state.reason
        self.query_one(StatusBar).show(self.state)
        self.query_one(HaltBanner).show(self.state)

    def action_resume(self) -> None:
        if not self.engine.is_halted():
            self.notify("the engine is not halted", markup=False)
            return

        async def confirmed(ok: bool | None) -> None:
            if ok and await self._command("resume", self.engine.resume(confirm=True)):
                self.state.halted, self.state.halt_reason = False, ""
                self.query_one(StatusBar).show(self.state)
                self.query_one(HaltBanner).show(self.state)

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
