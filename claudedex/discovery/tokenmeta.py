"""Read a token's name, symbol and decimals without trusting them.

Why careful decoding: names and symbols are attacker-chosen bytes. Some tokens return
``bytes32`` instead of ``string``, some revert, some return garbage; we keep whatever
decodes as printable text (control characters dropped, length capped) and never interpret it.
"""

from __future__ import annotations

import asyncio

from claudedex.rpc.reader import ChainReader

NAME = bytes.fromhex("06fdde03")
SYMBOL = bytes.fromhex("95d89b41")
DECIMALS = bytes.fromhex("313ce567")
MAX_LEN = 64


def clean_text(raw: bytes) -> str:
    """Printable text only: control characters (terminal escapes) removed, length capped."""
    text = raw.decode("utf-8", errors="replace")
    return "".join(ch for ch in text if ch.isprintable())[:MAX_LEN]


def decode_string(out: bytes | None) -> str:
    if not out:
        return ""
    if len(out) >= 64:
        offset = int.from_bytes(out[:32], "big")
        if offset + 32 <= len(out):
            length = int.from_bytes(out[offset:offset + 32], "big")
            if length <= len(out) - offset - 32:
                return clean_text(out[offset + 32:offset + 32 + length])
    return clean_text(out[:32].rstrip(b"\0"))  # bytes32 style


async def token_metadata(reader: ChainReader, token: str) -> tuple[str, str, int]:
    """(name, symbol, decimals); empty strings and 18 where the token will not say."""
    name, symbol, decimals = await asyncio.gather(
        reader.call(token, NAME), reader.call(token, SYMBOL), reader.call_word(token, DECIMALS))
    dec = decimals if decimals is not None and decimals <= 255 else 18
    return decode_string(name), decode_string(symbol), dec
