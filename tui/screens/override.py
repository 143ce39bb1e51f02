"""The override dialog: change size or slippage, or accept a risky verdict after typing RISKY.

Why the dialog does not decide: the approval queue enforces the rules (scam never, risky
only with the typed word, nothing while halted). The dialog only parses what the operator
typed into exact integers and hands it up; the app never even opens it for a scam buy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from claudedex.domain import Side, TradeProposal, Verdict
from tui.formatting import units
from tui.safe_text import SYMBOL_MAX, safe
from tui.screens.forms import FIELD_BINDINGS, ConfirmScreen, FieldInput

RISKY_WORD = "RISKY"


@dataclass(frozen=True, slots=True)
class OverrideRequest:
    amount_in: int | None
    slippage_bps: int | None
    accept_risky: bool
    confirmation: str


def parse_size(text: str, decimals: int) -> int | None:
    """Whole units typed by the operator → base units (exact); empty keeps the size."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"size {text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("size must be a positive number")
    if units(1, decimals) is None:
        raise ValueError(f"the token reports {decimals} decimals (0-36 accepted): "
                         "its size cannot be typed")
    try:
        base = value * (Decimal(10) ** decimals)
    except ArithmeticError:  # decimal.Overflow: "1e999999"
        base = Decimal(2**256)
    if base >= Decimal(2**256):
        raise ValueError(f"size {text!r} is too large (more than a uint256)")
    if base != base.to_integral_value():
        raise ValueError(f"size has more than {decimals} decimals")
    return int(base)


def parse_bps(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError("slippage must be a whole number of basis points")
    value = int(text)
    if not 1 <= value < 10_000:
        raise ValueError("slippage must be between 1 and 9999 bps")
    return value


class OverrideScreen(ModalScreen[OverrideRequest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), *FIELD_BINDINGS]

    def __init__(self, proposal: TradeProposal, decimals: int) -> None:
        super().__init__()
        self.proposal = proposal
        self.decimals = decimals
        self.needs_word = (proposal.verdict in (Verdict.RISKY, Verdict.UNKNOWN)
                           and proposal.side is Side.BUY)

    def compose(self) -> ComposeResult:
        p = self.proposal
        scaled = units(p.amount_in, self.decimals)
        size_units = "?" if scaled is None else f"{scaled.normalize():f}"
        with Vertical(classes="dialog"):
            title = Text("Override ", style="bold")
            title.append_text(safe(p.symbol or p.token, SYMBOL_MAX, style="bold"))
            title.append(f"  {p.side.value} · verdict {p.verdict.value} · id {p.id}")
            yield Label(title)
            yield Label(f"size (input token units, now {size_units}):")
            yield FieldInput(placeholder="keep", id="size", restrict=r"[0-9.,]*")
            yield Label(f"slippage in bps (now {p.slippage_bps}):")
            yield FieldInput(placeholder="keep", id="slippage", restrict=r"[0-9]*")
            if self.needs_word:
                yield Label(Text(f"verdict is {self.proposal.verdict.value.upper()}: type "
                                 f"{RISKY_WORD} to approve anyway",
                                 style="bold yellow"))
                yield FieldInput(placeholder=f"type {RISKY_WORD}", id="confirm")
            yield Label("enter for a summary, escape to cancel", classes="hint")
            yield Label("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#error", Label)
        try:
            amount = parse_size(self.query_one("#size", Input).value, self.decimals)
            slippage = parse_bps(self.query_one("#slippage", Input).value)
        except ValueError as exc:
            error.update(Text(str(exc), style="bold red"))
            return
        word = self.query_one("#confirm", Input).value if self.needs_word else ""
        if self.needs_word and word.strip() != RISKY_WORD:
            error.update(Text(f"type {RISKY_WORD} to accept the risky verdict",
                              style="bold red"))
            return
        error.update("")
        request = OverrideRequest(amount, slippage, self.needs_word, word.strip())

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.dismiss(request)

        self.app.push_screen(ConfirmScreen("Send this override?", self.summary(request),
                                           action="override"), confirmed)

    def summary(self, request: OverrideRequest) -> list[Text | str]:
        """Exactly what the override changes, old → new, in human units."""
        p = self.proposal
        unit = "ETH" if p.side is Side.BUY else "tokens"
        size = units(request.amount_in if request.amount_in is not None else p.amount_in,
                     self.decimals)
        size_text = "?" if size is None else f"{size.normalize():f}"
        was = units(p.amount_in, self.decimals)
        was_text = "?" if was is None else f"{was.normalize():f}"
        slippage = request.slippage_bps if request.slippage_bps is not None else p.slippage_bps
        token = safe(p.symbol or p.token, SYMBOL_MAX, style="bold")
        return [
            Text.assemble(f"{p.side.value} ", token, f"  ({p.id})"),
            f"size       {was_text} → {size_text} {unit}"
            + ("" if request.amount_in is not None else " (kept)"),
            f"slippage   {p.slippage_bps} → {slippage} bps"
            + ("" if request.slippage_bps is not None else " (kept)"),
            Text.assemble("verdict    ", (p.verdict.value.upper(), "bold"),
                          ("  accepted (RISKY typed)" if request.accept_risky else "")),
        ]

    def action_cancel(self) -> None:
        self.dismiss(None)
