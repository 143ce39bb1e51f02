"""The console's manual-trade flow: quote (dry run) → summary → send, each step a worker.

Why a separate object: the app keeps layout and events; this owns the trade conversation.
Screens only return values; every engine call is made here, inside a worker, so the console
keeps drawing while the gate judges, quotes and sends. Outcomes go to the log pane and a toast.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from claudedex.errors import ClaudeDexError
from claudedex.trade_request import TradeRefused, TradeRequest, TradeResult
from tui.screens.forms import ConfirmScreen
from tui.screens.override import RISKY_WORD
from tui.screens.trade import NEEDS_WORD, BuyScreen, human, quote_lines, sell_all

if TYPE_CHECKING:
    from tui.app import ClaudeDexApp


class TradeFlow:
    def __init__(self, app: ClaudeDexApp) -> None:
        self.app = app

    def buy(self) -> None:
        def chosen(request: TradeRequest | None) -> None:
            if request is not None:
                self._start(self._quote(request), "quote")

        self.app.push_screen(BuyScreen(), chosen)

    def close(self, token: str) -> None:
        self._start(self._quote(sell_all(token)), "quote")

    def _start(self, work: object, name: str) -> None:
        self.app.run_worker(work, name=name, group="trade", exit_on_error=False)  # type: ignore[arg-type]

    def _what(self, request: TradeRequest) -> str:
        return "close" if request.amount == "all" else f"{request.side.value}"

    async def _call(self, request: TradeRequest) -> TradeResult | None:
        what = self._what(request) + (" quote" if request.dry_run else "")
        try:
            return await self.app.engine.trade(request, self._progress)
        except TradeRefused as exc:
            self._fail(what, f"refused: {exc}")
        except ClaudeDexError as exc:
            self._fail(what, f"failed: {exc}")
        return None

    def _progress(self, text: str) -> None:
        self.app.log_line("info", f"trade: {text}")

    def _fail(self, what: str, why: str) -> None:
        self.app.notify(why, title=f"{what}", severity="error", markup=False)
        self.app.log_line("error", f"{what} {why}")

    async def _quote(self, request: TradeRequest) -> None:
        quote = await self._call(request)
        if quote is None:
            return
        if quote.verdict == "scam":  # the gate refuses it anyway; never offer to send
            self._fail(self._what(request), f"refused: scam verdict {quote.detail}".strip())
            return
        decimals = self.app.decimals(request.token)
        row = self.app.state.pair_for_token(request.token)
        symbol = row.info.symbol if row is not None else ""
        word = RISKY_WORD if quote.verdict in NEEDS_WORD else ""
        title = ("Close position (sell all)?" if request.amount == "all"
                 else f"Send this {request.side.value}?")

        def confirmed(ok: bool | None) -> None:
            if ok:
                send = replace(request, dry_run=False, override="risky" if word else "")
                self._start(self._send(send, decimals), "trade")
            else:
                self.app.log_line("info", f"{self._what(request)} cancelled")

        self.app.push_screen(ConfirmScreen(title, quote_lines(request, quote, symbol, decimals),
                                           word=word), confirmed)

    async def _send(self, request: TradeRequest, decimals: int) -> None:
        result = await self._call(request)
        if result is None:
            return
        buy = request.side.value == "buy"
        out = human(result.amount_out, decimals if buy else 18)
        text = (f"{self._what(request)} {result.state}: {request.token} "
                f"in {human(result.amount_in, 18 if buy else decimals)} → out {out}"
                f" {'tokens' if buy else 'ETH'}"
                + (f" tx {result.tx_hash}" if result.tx_hash else ""))
        ok = result.state in ("filled", "confirmed", "simulated")
        self.app.notify(text, title=self._what(request), markup=False,
                        severity="information" if ok else "warning")
        self.app.log_line("info" if ok else "warning", text)
