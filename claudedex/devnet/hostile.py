"""Runtime code for tokens with hostile metadata: chosen selectors answer chosen bytes.

Why hand-assembled EVM and not Solidity: the answers under test are the ones a compiler will
not produce (2**256-1 from ``decimals()``, a ``string`` with a lying length, invalid UTF-8,
no return data at all). :func:`answer_code` builds a contract that answers each chosen
selector with a :class:`Reply` and every other call either with a default reply or by
``DELEGATECALL`` to a real implementation; :func:`wrap_token` puts such code in front of a
deployed token, so the token keeps its balances and behaviour (storage stays at its address)
while ``decimals()``, ``symbol()``... lie. Devnet and tests only; never used by safety.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from claudedex.errors import DevnetError

ReplyKind = Literal["return", "revert", "stop"]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the code does for one selector: return ``data``, revert, or stop (no data)."""

    kind: ReplyKind = "return"
    data: bytes = b""


REVERTS = Reply("revert")
NOTHING = Reply("stop")


def returns(data: bytes) -> Reply:
    return Reply("return", data)


def word(value: int) -> Reply:
    """Return one 32-byte word (any uint256)."""
    return Reply("return", value.to_bytes(32, "big"))


def abi_string(text: bytes, *, claimed_length: int | None = None) -> Reply:
    """An ABI ``string`` answer; ``claimed_length`` lies about its length when given."""
    length = len(text) if claimed_length is None else claimed_length
    padded = text + bytes(-len(text) % 32)
    return Reply("return", (32).to_bytes(32, "big") + length.to_bytes(32, "big") + padded)


def bytes32(text: bytes) -> Reply:
    """A ``bytes32`` answer (MKR-style symbol), right-padded with NULs."""
    return Reply("return", text[:32].ljust(32, b"\0"))


def _push2(value: int) -> bytes:
    if not 0 <= value <= 0xFFFF:
        raise DevnetError(f"answer too large for this code: {value} bytes")
    return b"\x61" + value.to_bytes(2, "big")


def _handler(reply: Reply, data_offset: int) -> bytes:
    """JUMPDEST + the reply; ``data_offset``: where reply.data sits in the code."""
    if reply.kind == "revert":
        return b"\x5b\x60\x00\x60\x00\xfd"  # JUMPDEST PUSH1 0 PUSH1 0 REVERT
    if reply.kind == "stop":
        return b"\x5b\x00"  # JUMPDEST STOP
    n = len(reply.data)  # JUMPDEST; CODECOPY(0, offset, n); RETURN(0, n)
    return b"\x5b" + _push2(n) + _push2(data_offset) + b"\x60\x00\x39" + _push2(n) + \
        b"\x60\x00\xf3"


DISPATCH_HEAD = b"\x60\x00\x35\x60\xe0\x1c"  # PUSH1 0 CALLDATALOAD PUSH1 0xe0 SHR
CASE_LEN = 11  # DUP1 PUSH4 sel EQ PUSH2 dest JUMPI


def _delegate(impl: str, at: int) -> bytes:
    """Forward the call to ``impl`` by DELEGATECALL and pass its answer (or revert) on."""
    body = (b"\x36\x60\x00\x60\x00\x37"  # CALLDATACOPY(0, 0, CALLDATASIZE)
            # DELEGATECALL(GAS, impl, 0, CALLDATASIZE, 0, 0)
            + b"\x60\x00\x60\x00\x36\x60\x00\x73" + bytes.fromhex(impl[2:]) + b"\x5a\xf4"
            + b"\x3d\x60\x00\x60\x00\x3e")  # RETURNDATACOPY(0, 0, RETURNDATASIZE)
    ok = at + len(body) + 4 + 4
    return (body + _push2(ok) + b"\x57"  # JUMPI ok
            + b"\x3d\x60\x00\xfd"  # REVERT(0, RETURNDATASIZE)
            + b"\x5b\x3d\x60\x00\xf3")  # ok: RETURN(0, RETURNDATASIZE)


def answer_code(answers: Mapping[bytes, Reply], *, default: Reply = NOTHING,
                delegate_to: str | None = None) -> bytes:
    """Runtime code answering ``answers`` (4-byte selector -> reply); any other call gets
    ``default``, or is delegated to ``delegate_to`` when that is given."""
    cases = list(answers.items())
    for selector, _ in cases:
        if len(selector) != 4:
            raise DevnetError(f"a selector is 4 bytes, not {selector!r}")
    head_len = len(DISPATCH_HEAD) + CASE_LEN * len(cases)
    fallthrough = [] if delegate_to else [default]  # no selector matched
    replies = fallthrough + [reply for _, reply in cases]
    tail = _delegate(delegate_to, head_len) if delegate_to else b""
    sizes = [len(_handler(reply, 0)) for reply in replies]
    data_at = head_len + len(tail) + sum(sizes)
    handlers, data = bytearray(), bytearray()
    dests: list[int] = []
    for reply in replies:
        dests.append(head_len + len(tail) + len(handlers))
        handlers += _handler(reply, data_at + len(data))
        data += reply.data
    code = bytearray(DISPATCH_HEAD)
    for (selector, _), dest in zip(cases, dests[len(fallthrough):], strict=True):
        code += b"\x80\x63" + selector + b"\x14" + _push2(dest) + b"\x57"
    return bytes(code + tail + handlers + data)


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    response = w3.provider.make_request(method, params)  # type: ignore[arg-type]  # anvil RPC method
    if response.get("error"):
        raise DevnetError(f"{method} failed: {response['error']}")
    return response.get("result")


def set_code(w3: Web3, address: str, code: bytes) -> None:
    """``anvil_setCode``: ``address`` runs ``code`` from now on."""
    _rpc(w3, "anvil_setCode", [to_checksum_address(address), "0x" + code.hex()])


def wrap_token(w3: Web3, token: str, answers: Mapping[bytes, Reply]) -> str:
    """Make the deployed ``token`` answer ``answers`` and behave as before otherwise.

    Its code moves to a derived address that the new code delegates to (balances, owner and
    every other slot stay at ``token``). Returns the implementation's address.
    """
    code = bytes(w3.eth.get_code(to_checksum_address(token)))
    if not code:
        raise DevnetError(f"no contract at {token} to wrap")
    impl = "0x" + keccak(b"claudedex.hostile:" + bytes.fromhex(token[2:]))[-20:].hex()
    set_code(w3, impl, code)
    set_code(w3, token, answer_code(answers, delegate_to=impl))
    return impl
