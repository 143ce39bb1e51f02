"""Trade amounts are exact or refused: never rounded, never an overflow traceback.

Red-team reproductions: ``1e999999`` raised decimal.Overflow (exit 1, traceback); amounts
past 28 significant digits were silently rounded (``1.0000000000000000000000000001`` ETH
became 1 ETH, thirty 9s rounded up); Arabic-Indic digits were read as ETH; a control
request's ``"dry_run": "false"`` meant a real trade... of the safe kind, but still wrong.
"""

from __future__ import annotations

import pytest

from claudedex.domain import Side
from claudedex.errors import UserInputError
from claudedex.trade_request import TradeRequest, parse_amount


@pytest.mark.parametrize("text", ["1e999999", "1E+999999", "1.0000000000000000000000000001",
                                  "\u0661\u0662", "NaN", "-1", "0", "1e-19", "0x10",
                                  "1" + "0" * 80])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(UserInputError):
        parse_amount(text, 18)


def test_long_amounts_are_exact() -> None:
    assert parse_amount("9" * 30, 18) == int("9" * 30) * 10**18
    assert parse_amount("12345678901234567890123456789", 0) == 12345678901234567890123456789
    assert parse_amount("0.000000000000000001", 18) == 1


@pytest.mark.parametrize("bad", [{"dry_run": "false"}, {"slippage_bps": True},
                                 {"slippage_bps": 1e999}, {"slippage_bps": "50"}])
def test_control_requests_are_typed(bad: dict[str, object]) -> None:
    base = {"side": "buy", "token": "0x" + "11" * 20, "amount": "1"}
    with pytest.raises(UserInputError):
        TradeRequest.from_json({**base, **bad})


def test_a_mistyped_mixed_case_address_is_refused() -> None:
    """Red team: a checksummed address with one letter's case flipped was accepted (eth-utils'
    is_address takes any case), so EIP-55's typo protection was lost."""
    from eth_utils.address import to_checksum_address

    good = to_checksum_address("0x0b48af34f4c854f5ae1a3d587da471fea45bad52")
    bad = next(good[:i] + good[i].swapcase() + good[i + 1:]
               for i in range(2, len(good)) if good[i].isalpha())
    assert bad.lower() == good.lower() and bad != good
    with pytest.raises(UserInputError, match="EIP-55"):
        TradeRequest(side=Side.BUY, token=bad, amount="1").validate()
    for fine in (good, good.lower(), "0x" + good[2:].upper()):
        assert TradeRequest(side=Side.BUY, token=fine, amount="1").validate().token == good
