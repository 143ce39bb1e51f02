"""The operator console: panes fed by engine events, keys that send engine commands.

Attributes down, messages up: the single pump worker (:mod:`tui.bridge`) posts engine events
as messages; the app applies them to :class:`tui.state.ConsoleState` and hands the changed
parts to the panes. Keys become engine commands (approve, reject, override, halt, resume);
the console never signs anything. The emergency stop (``ctrl+x``) is a priority binding, so
it works from every screen and dialog, with no confirmation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Footer

from claudedex.engine import Engine
from tui.actions import QUIT_TITLE, ConsoleActions
from tui.bridge import TICK_INTERVAL_S, pump
from tui.commands import ConsoleCommands
from tui.layout import size_classes
from tui.messages import EngineEvents, PairSelected, PriceTicks, ProposalSelected
from tui.screens.detail import DetailScreen
from tui.screens.views import TableScreen
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
             "close_position", "view", "log", "zoom"}
__all__ = ["PANES", "QUIT_TITLE", "ClaudeDexApp"]


class ClaudeDexApp(ConsoleActions):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "ClaudeDex"
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, #status, #banner"  # HALTED and ^X stay in view
    BINDINGS: ClassVar[list[BindingType]] = [
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
        Binding("w", "view('wallet')", "Wallet", show=False),
        Binding("h", "view('history')", "History", show=False),
        Binding("e", "view('exits')", "Exits", show=False),
        Binding("s", "view('decisions')", "Decisions", show=False),
        Binding("l", "log", "Log", show=False),
        Binding("z", "zoom", "Zoom", show=False),
    ]

    def __init__(self, engine: Engine, *, panes: Iterable[str] = PANES,
                 start_engine: bool = False, tick_interval: float = TICK_INTERVAL_S,
                 age_refresh_s: float = 1.0, exit_after: float | None = None,
                 boot: bool = False) -> None:
        """``start_engine``: start the engine in ``on_mount`` and stop it at exit (tests);
        ``boot``: start it in the background after the first frame, showing progress,
        and leave stopping to the caller (``claudedex run``)."""
        super().__init__()
        self.engine = engine
        self.panes = frozenset(panes)
        self.start_engine = start_engine
        self.boot = boot
        self.start_error: BaseException | None = None
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

    # -- lifecycle ----------------------------------------------------------------------

    async def on_mount(self) -> None:
        self.run_worker(pump(self._sub, self.post_message, self.tick_interval),
                        name="engine-events", group="engine", exit_on_error=True)
        self._apply_size(self.size.width, self.size.height)
        if self.age_refresh_s > 0:
            self.set_interval(self.age_refresh_s, self._refresh_ages)
        if self.exit_after is not None:
            self.set_timer(self.exit_after, self.exit)
        feed = self._pane(PairFeed)
        if feed is not None:
            feed.focus()
        if self.boot:  # the first frame now; the engine (devnet, deploy, …) behind it
            self.state.starting = "starting the engine…"
            self._render(Changes(status=True, equity=True, positions=True))
            # after the first frame is painted: parts of the devnet start-up block the loop
            self.call_after_refresh(self.run_worker, self._boot(), name="engine-start",
                                    group="engine", exit_on_error=False)
            return
        if self.start_engine:
            await self.engine.start()
        await self._started()

    async def _boot(self) -> None:
        began = time.monotonic()

        def progress(stage: str) -> None:
            self.state.starting = f"starting: {stage} ({time.monotonic() - began:.0f} s)"
            self.log_line("info", f"start-up: {stage}")
            self.query_one(StatusBar).show(self.state)

        try:
            await self.engine.start(progress)
        except Exception as exc:  # noqa: BLE001 - shown by the CLI as one line after exit
            self.start_error = exc
            self.exit()
            return
        self.log_line("info", f"engine started in {time.monotonic() - began:.1f} s")
        await self._started()

    async def _started(self) -> None:
        """The engine runs: its status, waiting proposals, the wallet, stored history."""
        self.state.starting = ""
        status = await self.engine.status()
        self.state.block = max(self.state.block, status.block)
        self.state.halted = status.halted
        self.state.halt_reason = status.halt_reason
        self.state.signer = self.engine.signer_kind
        self.state.seed_proposals(self.engine.pending_proposals(), self.now())
        self._render(Changes(proposals=True, positions=True, equity=True, status=True))
        self.run_worker(self._restore(), group="wallet", exit_on_error=False)

    async def _restore(self) -> None:
        """Equity from the wallet at once, and the trades of earlier runs."""
        await self.read_wallet()
        try:
            fills = await self.engine.past_fills()
        except Exception as exc:  # noqa: BLE001 - history is a convenience; say why not
            self.log_line("warning", f"trade history not restored: {exc}")
            return
        if fills:
            self.state.history.restore(fills)
            self.log_line("info", f"restored {len(fills)} stored fill(s) into the history")
            self._render(Changes(history=True))

    async def read_wallet(self) -> None:
        try:
            balance = await self.engine.wallet_balance()
        except Exception as exc:  # noqa: BLE001 - an RPC error must not stop the console
            self.log_line("warning", f"wallet balance not read: {exc}")
            return
        if balance is not None:
            self.state.wallet_quote = balance[1]
            self._render(Changes(equity=True, status=True, history=True))

    async def on_unmount(self) -> None:
        self._sub.close()
        if self.start_engine:
            await self.engine.stop()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        """Layout classes for the terminal's size (see app.tcss and :mod:`tui.layout`)."""
        screen = self.screen_stack[0] if self.screen_stack else None
        if screen is None:
            return
        wanted = size_classes(width, height)
        for name in ("-narrow", "-short", "-tiny"):
            screen.set_class(name in wanted, name)

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
        now = self.now()
        feed = self._pane(PairFeed)
        if feed is not None and (feed.ml_off, feed.block) != (state.ml_off, state.block):
            feed.ml_off, feed.block = state.ml_off, state.block
            feed.refresh()
        if changes.pairs and feed is not None:
            rows = sorted((state.pairs[k] for k in changes.pairs), key=lambda r: r.seq)
            feed.upsert(rows, now)
        if changes.proposals:
            self._show_proposals(now)
        if changes.positions and (positions := self._pane(PositionsPane)) is not None:
            positions.set_positions((p, self.decimals(p.token))
                                    for p in state.positions.values())
        if changes.equity and (pnl := self._pane(PnlPane)) is not None:
            pnl.show(state)
        if changes.proposals or changes.positions or changes.equity:
            self._show_risk()
        if changes.status or changes.proposals or changes.positions or changes.equity:
            self.query_one(StatusBar).show(state)
            if isinstance(self.screen, TableScreen):
                self.screen.query_one(StatusBar).show(state)
            self.query_one(HaltBanner).show(state)
        if changes.logs and (log := self._pane(LogPane)) is not None:
            for level, text in changes.logs:
                log.add(level, text, now)
        if changes.history and isinstance(self.screen, TableScreen):
            self.screen.update_rows()
        if changes.attention:
            self._attention(changes.attention)
        self._refresh_detail(changes.pairs)

    def _show_proposals(self, now: float) -> None:
        approvals = self._pane(ApprovalsPane)
        if approvals is None:
            return
        approvals.set_proposals(self.state.proposals.values(), now=now,
                                ttl=self.engine.profile.approvals.proposal_ttl_s,
                                received=self.state.proposal_at, size_by=self.state.size_by)
        if approvals.selected_id is None:
            self.selected_proposal = None

    def _attention(self, cues: list[tuple[str, str]]) -> None:
        """A bell and a toast for new proposals and failed exits (each can be turned off
        in the profile's ``[console]``)."""
        settings = self.engine.profile.console
        bell = False
        for kind, text in cues:
            if kind == "proposal":
                bell = bell or settings.bell_on_proposal
                if settings.toast_on_proposal:
                    self.notify(text, title="new proposal", markup=False)
            elif kind == "alert":  # a toast only: the log has it too
                self.notify(text, title="engine", severity="warning", markup=False,
                            timeout=20)
            elif kind == "exit_failed":
                bell = bell or settings.bell_on_failed_exit
                if settings.toast_on_failed_exit:
                    self.notify(text, title="EXIT FAILED", severity="error", markup=False,
                                timeout=30)
        if bell:
            self.bell()

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
        approvals = self._pane(ApprovalsPane)
        if self.state.proposals and approvals is not None:  # ages and expiry tick
            approvals.tick(self.now(), self.engine.profile.approvals.proposal_ttl_s,
                           self.state.proposal_at)
        if self.state.starting:
            self.query_one(StatusBar).show(self.state)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Trading keys act on the main screen only; the stop key works everywhere."""
        if action in MAIN_ONLY and len(self.screen_stack) > 1:
            return False
        return True
