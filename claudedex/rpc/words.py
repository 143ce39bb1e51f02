"""ABI words by hand, for the raw reads (``eth_call`` data, storage slots, log topics)."""

from __future__ import annotations

ZERO_ADDRESS = "0x" + "00" * 20


def word(value: int) -> bytes:
    """One ABI word (uint256, two's complement never needed here)."""
    return value.to_bytes(32, "big")


def addr_word(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def as_address(value: bytes | int) -> str:
    """The address in the low 20 bytes of a word, lower-case hex."""
    raw = value.to_bytes(32, "big") if isinstance(value, int) else value[-20:].rjust(20, b"\0")
    return "0x" + raw[-20:].hex()
