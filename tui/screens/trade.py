"""Manual trading dialogs: "buy by address" and the quote summary shown before sending.

The screens do no I/O: :class:`BuyScreen` returns a validated dry-run
:class:`~claudedex.trade_request.TradeRequest`; the app asks the engine for the quote and
shows :func:`quote_lines` in a :class:`~tui.screens.forms.ConfirmScreen`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from claudedex.domain import Side
from claudedex.errors import UserInputError
from claudedex.trade_request import TradeRequest, TradeResult
from tui.formatting import units
from tui.safe_text import SYMBOL_MAX, safe
from tui.screens.forms import FIELD_BINDINGS, FieldInput
from tui.screens.override import parse_bps

NEEDS_WORD = ("risky", "unknown")


def human(amount: int, decimals: int) -> str:
    scaled = units(amount, decimals)
    return "?" if scaled is None else f"{scaled.normalize():f}"


def quote_lines(request: TradeRequest, quote: TradeResult, symbol: str,
                token_decimals: int) -> list[Text | str]:
    """What will be sent, in human units: token, amount in, expected out, slippage, verdict."""
    token = safe(symbol, SYMBOL_MAX, style="bold") if symbol else Text("")
    token.append(f" {request.token}")
    buy = request.side is Side.BUY
    in_dec, out_dec = (18, token_decimals) if buy else (token_decimals, 18)
    in_unit, out_unit = ("ETH", "tokens") if buy else ("tokens", "ETH")
    slippage = (f"{request.slippage_bps} bps" if request.slippage_bps
                else "profile maximum")
    verdict_style = {"safe": "bold green", "scam": "bold red"}.get(quote.verdict,
                                                                    "bold yellow")
    return [
        Text.assemble("token      ", token),
        f"side       {request.side.value}",
        f"amount in  {human(quote.amount_in, in_dec)} {in_unit}"
        + ("  (the whole position)" if request.amount == "all" else ""),
        f"expected   {human(quote.amount_out, out_dec)} {out_unit}"
        f"  (at least {human(quote.amount_out_min, out_dec)})",
        f"slippage   {slippage}",
        Text.assemble("verdict    ", (quote.verdict.upper(), verdict_style)),
    ]


class BuyScreen(ModalScreen[TradeRequest | None]):
    """Token address, amount in ETH, optional slippage → a dry-run buy request."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), *FIELD_BINDINGS]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Buy by address", style="bold"))
            yield Label("token address:")
            yield FieldInput(placeholder="0x…", id="token", restrict=r"[0-9a-fA-FxX]*",
                             max_length=42)
            yield Label("amount in ETH:")
            yield FieldInput(placeholder="e.g. 0.05", id="amount", restrict=r"[0-9.]*")
            yield Label("slippage in bps (empty: the profile's maximum):")
            yield FieldInput(placeholder="max", id="slippage", restrict=r"[0-9]*")
            yield Label("enter for a quote (nothing is sent yet), escape to cancel",
                        classes="hint")
            yield Label("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            slippage = parse_bps(self.query_one("#slippage", Input).value) or 0
            request = TradeRequest(Side.BUY, self.query_one("#token", Input).value.strip(),
                                   self.query_one("#amount", Input).value.strip(),
                                   slippage_bps=slippage, dry_run=True, by="console")
            request = request.validate()
        except (ValueError, UserInputError) as exc:
            message = str(exc).replace("--token", "token").replace("--amount", "amount")
            self.query_one("#error", Label).update(Text(message, style="bold red"))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)


def sell_all(token: str) -> TradeRequest:
    """Closing a position: sell the whole balance, quoted first."""
    return TradeRequest(Side.SELL, token, "all", dry_run=True, by="console")
