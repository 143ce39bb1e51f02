"""Calldata for the few contract calls execution makes: eth-abi, and the swaps laid out here.

Why not ABI JSON and contract objects: live installs have no node_modules, and encoding a
known signature is exact, fast (the benchmark signs hundreds a second) and easy to audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak


@cache
def selector(signature: str) -> bytes:
    """The 4-byte function selector of ``signature`` (keccak-256 of its text; memoised)."""
    return keccak(text=signature)[:4]


def call_data(signature: str, types: Sequence[str], args: Sequence[Any]) -> bytes:
    # eth-abi (and its grammar parser, 20 ms) is imported by the first call that encodes
    # or decodes: a candle backtest lays its swaps out in _swap and never gets here
    from eth_abi.abi import encode

    return selector(signature) + encode(list(types), list(args))


def _sig(name: str, types: Sequence[str]) -> str:
    return f"{name}({','.join(types)})"


def fn(name: str, types: Sequence[str], args: Sequence[Any]) -> bytes:
    return call_data(_sig(name, types), types, args)


# --- router (UniswapV2Router02) ---------------------------------------------------------

_ETH_IN = ("uint256", "address[]", "address", "uint256")
_TOKENS_IN = ("uint256", "uint256", "address[]", "address", "uint256")


def swap_exact_eth_for_tokens(
    amount_out_min: int, path: Sequence[str], to: str, deadline: int, *, fee_on_transfer: bool
) -> bytes:
    name = ("swapExactETHForTokensSupportingFeeOnTransferTokens" if fee_on_transfer
            else "swapExactETHForTokens")
    return _swap(name, _ETH_IN, (amount_out_min,), path, to, deadline)


def swap_exact_tokens_for_eth(
    amount_in: int, amount_out_min: int, path: Sequence[str], to: str, deadline: int,
    *, fee_on_transfer: bool,
) -> bytes:
    name = ("swapExactTokensForETHSupportingFeeOnTransferTokens" if fee_on_transfer
            else "swapExactTokensForETH")
    return _swap(name, _TOKENS_IN, (amount_in, amount_out_min), path, to, deadline)


_WORD = 32
_UINT256_END = 1 << 256


def _address_word(address: object) -> bytes | None:
    """The ABI word of ``address`` (``0x`` + 40 hex digits, in any case, as eth-abi takes
    it), or None for anything else (eth-abi then encodes it, or says why it cannot)."""
    return _text_address_word(address) if isinstance(address, str) else None


@lru_cache(maxsize=4096)  # a run's few addresses (the account, WETH, its tokens), each call
def _text_address_word(address: str) -> bytes | None:
    if len(address) != 42 or address[:2] != "0x":
        return None
    try:
        raw = bytes.fromhex(address[2:])
    except ValueError:
        return None
    # fromhex skips whitespace between digit pairs: 20 bytes from 40 characters are 40 digits
    return bytes(12) + raw if len(raw) == 20 else None


def _swap(name: str, types: Sequence[str], amounts: Sequence[int], path: Sequence[str],
          to: str, deadline: int) -> bytes:
    """A Router02 ``swapExact...`` call: ``amounts`` (uint256 each), then ``path``
    (address[]), ``to`` and ``deadline``, laid out by the ABI's rules (the head's words,
    the array's offset counted from the head's start; then its length and its items).

    The well-formed case (every amount and the deadline an int in [0, 2^256), every
    address 0x-hex) is laid out here, bit for bit what eth-abi writes (a property test
    compares them) in a fifth of its time; any other input goes to eth-abi, which
    encodes it or raises as ever.
    """
    encoded = [_address_word(a) for a in (to, *path)]
    uints = (*amounts, deadline)
    if None in encoded or not all(type(v) is int and 0 <= v < _UINT256_END for v in uints):
        return fn(name, types, [*amounts, list(path), to, deadline])
    to_word, *path_words = encoded
    head = len(amounts) + 3  # the amounts, the array's offset, to, deadline
    out = bytearray(selector(_sig(name, types)))
    for v in amounts:
        out += v.to_bytes(_WORD, "big")
    out += (head * _WORD).to_bytes(_WORD, "big")
    out += to_word or b""
    out += deadline.to_bytes(_WORD, "big")
    out += len(path_words).to_bytes(_WORD, "big")
    for w in path_words:
        out += w or b""
    return bytes(out)


# --- reads -----------------------------------------------------------------------------

GET_RESERVES = selector("getReserves()")
TOKEN0 = selector("token0()")


def erc20_approve(spender: str, amount: int) -> bytes:
    return fn("approve", ("address", "uint256"), [spender, amount])


def erc20_allowance(owner: str, spender: str) -> bytes:
    return fn("allowance", ("address", "address"), [owner, spender])


def erc20_balance_of(owner: str) -> bytes:
    return fn("balanceOf", ("address",), [owner])


def get_pair(token_a: str, token_b: str) -> bytes:
    return fn("getPair", ("address", "address"), [token_a, token_b])


def decode_address(raw: bytes) -> str:
    from eth_abi.abi import decode  # a chain read's answer only (see call_data)

    (addr,) = decode(["address"], raw)
    return str(to_checksum_address(addr))


def decode_uint(raw: bytes) -> int:
    from eth_abi.abi import decode  # a chain read's answer only (see call_data)

    (value,) = decode(["uint256"], raw)
    return int(value)


def decode_reserves(raw: bytes) -> tuple[int, int]:
    from eth_abi.abi import decode  # a chain read's answer only (see call_data)

    r0, r1, _ts = decode(["uint112", "uint112", "uint32"], raw)
    return int(r0), int(r1)


# --- events ----------------------------------------------------------------------------

TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
WITHDRAWAL_TOPIC = keccak(text="Withdrawal(address,uint256)")  # WETH9 unwrap
SWAP_TOPIC = keccak(text="Swap(address,uint256,uint256,uint256,uint256,address)")


def topic_address(topic: bytes) -> str:
    return str(to_checksum_address(topic[-20:]))
