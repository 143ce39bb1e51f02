"""The trade command's contract: what ``claudedex trade`` and the control API send, and get.

Why its own module: the CLI, the control channel and the kernel's gate
(:mod:`claudedex.manual`) all speak it; the JSON shapes here are what other tools read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow
from typing import Any

from eth_utils.address import is_address, is_checksum_address, to_checksum_address

from claudedex.domain import Side
from claudedex.errors import ClaudeDexError, UserInputError
from claudedex.tokenmeta import MAX_DECIMALS


class TradeRefused(ClaudeDexError):
    """The gate refused a manual trade (scam, unjudged, risk limit, halted): exit 1."""


@dataclass(frozen=True, slots=True)
class TradeRequest:
    """One manual trade. ``amount``: whole units as text (ETH for a buy, tokens for a
    sell) or ``"all"`` for a sell; ``slippage_bps`` 0 means the profile's maximum;
    ``override`` ``"risky"`` accepts a risky or unknown verdict (the typed override)."""

    side: Side
    token: str
    amount: str
    slippage_bps: int = 0
    override: str = ""
    dry_run: bool = False
    by: str = "cli"

    def validate(self) -> TradeRequest:
        """The request with a checksummed token; raises UserInputError naming the bad flag.

        Checked before anything is opened or sent, so bad input costs nothing.
        """
        if not is_address(self.token):
            raise UserInputError(f"--token {self.token!r} is not an address")
        digits = self.token.removeprefix("0x").removeprefix("0X")
        if digits not in (digits.lower(), digits.upper()) and not is_checksum_address(self.token):
            raise UserInputError(  # EIP-55: mixed case is a checksum, and this one is wrong
                f"--token {self.token}: its mixed case fails the EIP-55 checksum (a mistyped "
                f"character?); check the address")
        if self.override not in ("", "risky"):
            raise UserInputError(f"--override {self.override!r}: the only override is 'risky'")
        if not 0 <= self.slippage_bps < 10_000:
            raise UserInputError("--slippage-bps must be between 0 and 9999 (0 = the profile's "
                                 "maximum)")
        if not (self.side is Side.SELL and self.amount == "all"):
            parse_amount(self.amount, MAX_DECIMALS)  # syntax and sign; decimals checked later
        return replace(self, token=to_checksum_address(self.token))

    def to_json(self) -> dict[str, Any]:
        return {"side": str(self.side), "token": self.token, "amount": self.amount,
                "slippage_bps": self.slippage_bps, "override": self.override,
                "dry_run": self.dry_run, "by": self.by}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TradeRequest:
        slippage, dry_run = data.get("slippage_bps", 0), data.get("dry_run", False)
        if not isinstance(slippage, int) or isinstance(slippage, bool):
            raise UserInputError("malformed trade request: slippage_bps must be an integer")
        if not isinstance(dry_run, bool):
            raise UserInputError("malformed trade request: dry_run must be true or false")
        try:
            return cls(side=Side(str(data["side"])), token=str(data["token"]),
                       amount=str(data["amount"]), slippage_bps=slippage,
                       override=str(data.get("override", "")),
                       dry_run=dry_run, by=str(data.get("by", "cli")))
        except (KeyError, ValueError, TypeError) as exc:
            raise UserInputError(f"malformed trade request: {exc}") from None


@dataclass(slots=True)
class TradeResult:
    """The outcome of one manual trade (amounts in base units)."""

    order_id: str
    state: str
    verdict: str
    amount_in: int = 0
    amount_out: int = 0
    amount_out_min: int = 0
    tx_hash: str = ""
    detail: str = ""
    history: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "state": self.state, "verdict": self.verdict,
                "amount_in": str(self.amount_in), "amount_out": str(self.amount_out),
                "amount_out_min": str(self.amount_out_min), "tx_hash": self.tx_hash,
                "detail": self.detail, "history": list(self.history)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TradeResult:
        return cls(order_id=str(data["order_id"]), state=str(data["state"]),
                   verdict=str(data["verdict"]), amount_in=int(data["amount_in"]),
                   amount_out=int(data["amount_out"]),
                   amount_out_min=int(data["amount_out_min"]), tx_hash=str(data["tx_hash"]),
                   detail=str(data["detail"]), history=[str(h) for h in data["history"]])


UINT256_MAX = 2**256 - 1
_EXACT = Context(prec=200, Emin=-999, Emax=999, traps=[InvalidOperation, Overflow, Inexact])


def parse_amount(text: str, decimals: int) -> int:
    """'0.25' -> base units, exactly; refuses NaN, infinities, negatives, zero, too many
    decimals, non-ASCII digits, and amounts no uint256 can hold. Raises UserInputError."""
    if not text.isascii():
        raise UserInputError(f"--amount {text!r} is not a number")
    try:
        value = _EXACT.create_decimal(text)
    except Overflow:
        raise UserInputError(f"--amount {text!r} is too large") from None
    except (InvalidOperation, Inexact):
        raise UserInputError(f"--amount {text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise UserInputError(f"--amount {text!r} must be a positive number")
    try:
        units = _EXACT.multiply(value, Decimal(10) ** decimals)
    except (Overflow, Inexact):  # exact at 200 digits or refused: never silently rounded
        raise UserInputError(f"--amount {text!r} is too large") from None
    if units != units.to_integral_value():
        raise UserInputError(f"--amount {text!r} has more than {decimals} decimals")
    if units > UINT256_MAX:
        raise UserInputError(f"--amount {text!r} is too large")
    return int(units)


__all__ = ["MAX_DECIMALS", "TradeRefused", "TradeRequest", "TradeResult", "parse_amount"]
