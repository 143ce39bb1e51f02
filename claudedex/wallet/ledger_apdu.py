"""The Ledger Ethereum app's APDUs, built and parsed by hand.

Why by hand: the usual client library pins an old web3; the two commands we need (GET ETH
PUBLIC ADDRESS, SIGN ETH TRANSACTION) are small and documented, and owning them lets the
simulator and the signer share one definition of the wire format.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CLA = 0xE0
INS_GET_ADDRESS = 0x02
INS_SIGN_TX = 0x04
P1_FIRST = 0x00
P1_MORE = 0x80
MAX_CHUNK = 255
HARDENED = 0x80000000

SW_OK = 0x9000
SW_DENIED = 0x6985  # the user rejected on the device
SW_LOCKED = 0x5515  # the device is locked
SW_WRONG_APP = 0x6E00  # CLA not supported: the Ethereum app is not open
SW_INVALID_DATA = 0x6A80
SW_WRONG_LENGTH = 0x6700

SW_MEANING = {
    SW_DENIED: "rejected on the Ledger",
    SW_LOCKED: "the Ledger is locked; unlock it",
    SW_WRONG_APP: "open the Ethereum app on the Ledger",
    0x6D00: "open the Ethereum app on the Ledger",
    0x6511: "open the Ethereum app on the Ledger",
    SW_INVALID_DATA: "the Ledger rejected the transaction data (enable blind signing?)",
    SW_WRONG_LENGTH: "the Ledger rejected the APDU length",
}


class ApduError(Exception):
    """A status word other than 0x9000; carries the word so callers can explain it."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"Ledger status 0x{sw:04x}: {SW_MEANING.get(sw, 'unknown error')}")
        self.sw = sw


def parse_path(path: str) -> list[int]:
    """``m/44'/60'/0'/0/0`` → BIP32 indices (hardened ones with the top bit set)."""
    parts = path.strip().split("/")
    if not parts or parts[0] != "m" or len(parts) < 2 or len(parts) > 11:
        raise ValueError(f"not a BIP32 path: {path!r}")
    out: list[int] = []
    for part in parts[1:]:
        hardened = part.endswith(("'", "h", "H"))
        digits = part[:-1] if hardened else part
        if not digits.isdigit() or int(digits) >= HARDENED:
            raise ValueError(f"bad BIP32 path component {part!r} in {path!r}")
        out.append(int(digits) | (HARDENED if hardened else 0))
    return out


def serialize_path(indices: list[int]) -> bytes:
    """One count byte, then each index as a big-endian uint32."""
    return bytes([len(indices)]) + b"".join(struct.pack(">I", i) for i in indices)


def apdu(ins: int, p1: int, p2: int, data: bytes) -> bytes:
    if len(data) > MAX_CHUNK:
        raise ValueError("an APDU carries at most 255 data bytes")
    return bytes([CLA, ins, p1, p2, len(data)]) + data


def get_address_apdu(indices: list[int], *, display: bool = False) -> bytes:
    return apdu(INS_GET_ADDRESS, 0x01 if display else 0x00, 0x00, serialize_path(indices))


@dataclass(frozen=True)
class AddressReply:
    public_key: bytes
    address: str  # 0x + 40 hex, as the device sent it (checksum applied by the caller)


def parse_address_reply(data: bytes) -> AddressReply:
    """``len | pubkey | len | ascii hex address [| chain code]``."""
    try:
        pk_len = data[0]
        public_key = data[1 : 1 + pk_len]
        addr_len = data[1 + pk_len]
        text = data[2 + pk_len : 2 + pk_len + addr_len].decode("ascii")
    except (IndexError, UnicodeDecodeError):
        raise ValueError("malformed GET ETH PUBLIC ADDRESS reply") from None
    if len(public_key) != pk_len or len(text) != 40 or addr_len != 40:
        raise ValueError("malformed GET ETH PUBLIC ADDRESS reply")
    return AddressReply(public_key=bytes(public_key), address="0x" + text)


def legacy_tail_offset(payload: bytes) -> int:
    """Where the EIP-155 ``chainId, 0, 0`` tail starts in a legacy payload (0 for typed).

    The Ethereum app must not see a chunk end inside that tail (it would take the tail
    for the end of a pre-EIP-155 transaction), so chunking steers around it.
    """
    if not payload or payload[0] < 0xC0:
        return 0
    import rlp

    fields = rlp.decode(payload)
    tail = rlp.encode(fields[-3:])
    # the tail's own list header is not in the payload; its items are the last bytes
    header = 1 if tail[0] <= 0xF7 else 1 + (tail[0] - 0xF7)
    return len(payload) - (len(tail) - header)


def sign_tx_apdus(indices: list[int], payload: bytes) -> list[bytes]:
    """Split path + payload into SIGN ETH TRANSACTION APDUs of at most 255 data bytes."""
    path = serialize_path(indices)
    tail = legacy_tail_offset(payload)
    out: list[bytes] = []
    offset = 0
    while offset < len(payload) or not out:
        room = MAX_CHUNK - (len(path) if not out else 0)
        end = min(len(payload), offset + room)
        if tail and tail <= end < len(payload):
            # would end inside the EIP-155 tail: stop just before it instead
            end = tail - 1 if tail - 1 > offset else end
        chunk = payload[offset:end]
        body = (path if not out else b"") + chunk
        out.append(apdu(INS_SIGN_TX, P1_MORE if out else P1_FIRST, 0x00, body))
        offset = end
    return out


def split_sw(response: bytes) -> tuple[bytes, int]:
    if len(response) < 2:
        raise ValueError("a Ledger response carries at least a status word")
    return response[:-2], int.from_bytes(response[-2:], "big")


def parse_signature(data: bytes) -> tuple[int, int, int]:
    """``v (1) | r (32) | s (32)``."""
    if len(data) != 65:
        raise ValueError(f"a Ledger signature is 65 bytes, got {len(data)}")
    return data[0], int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:65], "big")


def parity_from_v(v: int, *, typed: bool, chain_id: int) -> int:
    """The y-parity behind the device's ``v`` byte.

    Typed transactions: the app returns the parity (some versions 27/28). Legacy EIP-155:
    it returns ``chainId*2+35+parity`` truncated to one byte, so for chain ids above 109
    the byte wraps; the difference modulo 256 still yields the parity.
    """
    if typed:
        if v in (0, 1):
            return v
        if v in (27, 28):
            return v - 27
        raise ValueError(f"unexpected v {v} for a typed transaction")
    parity = (v - (chain_id * 2 + 35)) % 256
    if parity not in (0, 1):
        raise ValueError(f"v byte {v} does not match chain id {chain_id}")
    return parity
