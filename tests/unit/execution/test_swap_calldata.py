"""Router02 swap calldata laid out directly is bit for bit eth-abi's, errors included.

``calls.swap_exact_*`` write the well-formed case themselves (about 5 µs instead of 26)
and hand anything else to eth-abi; for any input, the bytes, or the exception type, must
be what eth-abi's encoding of the same signature gives.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from claudedex.addresses import checksum
from claudedex.execution import calls

raw = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())


@st.composite
def address(draw: st.DrawFn) -> Any:
    """An address as callers might pass one: lowercase, uppercase, EIP-55, mixed case
    that is no checksum (eth-abi takes it), too short, without 0x, not hex, not text, 42
    characters with whitespace between digit pairs or non-ASCII digits (neither is hex)."""
    a = draw(raw)
    form = draw(st.sampled_from(["lower", "upper", "checksum", "bad_case", "short", "bare",
                                 "bytes", "not_hex", "spaced", "non_ascii"]))
    if form == "spaced":
        return a[:-2] + " " + a[-1]
    if form == "non_ascii":
        return a[:-2] + "\u0661\u0662"
    if form == "upper":
        return "0x" + a[2:].upper()
    if form == "checksum":
        return checksum(a)
    if form == "bad_case":
        c = checksum(a)
        flipped = c[:2] + c[2:].swapcase()
        return flipped if flipped[2:] not in (c[2:].lower(), c[2:].upper()) else a
    if form == "short":
        return a[:-2]
    if form == "bare":
        return a[2:]
    if form == "not_hex":
        return a[:-1] + "g"
    if form == "bytes":
        return bytes.fromhex(a[2:])
    return a


uint = st.one_of(st.integers(0, 2**256 - 1), st.integers(0, 10**30),
                 st.sampled_from([-1, 2**256, True, 1.5]))


def outcome(make: Any) -> Any:
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - the exception's type is the outcome
        return type(exc)


@settings(max_examples=400, deadline=None)
@given(uint, uint, st.lists(address(), max_size=4), address(), uint, st.booleans())
def test_tokens_for_eth_is_eth_abis(amount_in: Any, min_out: Any, path: list[Any], to: Any,
                                    deadline: Any, fot: bool) -> None:
    name = ("swapExactTokensForETHSupportingFeeOnTransferTokens" if fot
            else "swapExactTokensForETH")
    ours = outcome(lambda: calls.swap_exact_tokens_for_eth(
        amount_in, min_out, path, to, deadline, fee_on_transfer=fot))
    theirs = outcome(lambda: calls.fn(name, calls._TOKENS_IN,
                                      [amount_in, min_out, list(path), to, deadline]))
    assert ours == theirs


@settings(max_examples=400, deadline=None)
@given(uint, st.lists(address(), max_size=4), address(), uint, st.booleans())
def test_eth_for_tokens_is_eth_abis(min_out: Any, path: list[Any], to: Any, deadline: Any,
                                    fot: bool) -> None:
    name = ("swapExactETHForTokensSupportingFeeOnTransferTokens" if fot
            else "swapExactETHForTokens")
    ours = outcome(lambda: calls.swap_exact_eth_for_tokens(
        min_out, path, to, deadline, fee_on_transfer=fot))
    theirs = outcome(lambda: calls.fn(name, calls._ETH_IN, [min_out, list(path), to, deadline]))
    assert ours == theirs


def test_the_common_case_is_laid_out_here_not_by_eth_abi(monkeypatch: Any) -> None:
    """A well-formed swap never reaches eth-abi (else the speed-up is gone unseen)."""
    def refuse(*_: Any) -> bytes:
        raise AssertionError("eth-abi was called")

    monkeypatch.setattr(calls, "fn", refuse)
    path = [checksum("0x" + "ab" * 20), "0x" + "cd" * 20]
    data = calls.swap_exact_tokens_for_eth(10**18, 1, path, "0x" + "EF" * 20, 2**40,
                                           fee_on_transfer=False)
    assert data[:4] == calls.selector(
        "swapExactTokensForETH(uint256,uint256,address[],address,uint256)")
    assert len(data) == 4 + 32 * 8  # 5 head words, the array's length and 2 items
