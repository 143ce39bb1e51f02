"""Trezor's wire protocol, the small part we need: protobuf fields and 64-byte framing.

Why not trezorlib: it drags ~20 packages (click, keyring, cryptography...) into the venv for
five messages. Protobuf's wire format is just varints and length-delimited fields, so we
encode the Ethereum messages here and the simulator decodes them with the same code.

Framing (protocol v1, HID and the emulator's UDP port alike): each packet is 64 bytes; the
first is ``?## | type(2) | length(4) | data``, the rest ``? | data``, zero padded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

# message types (trezor-firmware common/protob/messages.proto)
INITIALIZE = 0
SUCCESS = 2
FAILURE = 3
FEATURES = 17
PIN_MATRIX_REQUEST = 18
BUTTON_REQUEST = 26
BUTTON_ACK = 27
PASSPHRASE_REQUEST = 41
ETHEREUM_GET_ADDRESS = 56
ETHEREUM_ADDRESS = 57
ETHEREUM_SIGN_TX = 58
ETHEREUM_TX_REQUEST = 59
ETHEREUM_TX_ACK = 60
ETHEREUM_SIGN_TX_EIP1559 = 452

DATA_CHUNK = 1024  # bytes of calldata per EthereumSignTx*/EthereumTxAck
PACKET = 64

FieldValue = int | bytes | str
Fields = dict[int, list[int | bytes]]


def varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("protobuf varints here are unsigned")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated or oversized varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def encode(fields: Iterable[tuple[int, FieldValue]]) -> bytes:
    """Fields in order; bools are ints, strings UTF-8; repeated fields are repeated pairs."""
    out = bytearray()
    for number, value in fields:
        if isinstance(value, int):
            out += varint(number << 3 | 0) + varint(int(value))
        else:
            raw = value.encode("utf-8") if isinstance(value, str) else value
            out += varint(number << 3 | 2) + varint(len(raw)) + raw
    return bytes(out)


def decode(data: bytes) -> Fields:
    """Field number → values (varints as int, length-delimited as bytes)."""
    fields: Fields = {}
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 2:
            length, pos = read_varint(data, pos)
            if pos + length > len(data):
                raise ValueError("truncated length-delimited field")
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = int.from_bytes(data[pos : pos + 4], "little"), pos + 4
        elif wire == 1:
            value, pos = int.from_bytes(data[pos : pos + 8], "little"), pos + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def first_int(fields: Fields, number: int, default: int | None = None) -> int | None:
    values = fields.get(number)
    if not values:
        return default
    value = values[0]
    if not isinstance(value, int):
        raise ValueError(f"field {number} is not a varint")
    return value


def first_bytes(fields: Fields, number: int, default: bytes = b"") -> bytes:
    values = fields.get(number)
    if not values:
        return default
    value = values[0]
    if not isinstance(value, bytes):
        raise ValueError(f"field {number} is not length-delimited")
    return value


def int_bytes(value: int) -> bytes:
    """Trezor carries big integers as minimal big-endian bytes (0 → empty)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def frame(msg_type: int, payload: bytes) -> list[bytes]:
    """Split one message into 64-byte packets."""
    stream = b"##" + struct.pack(">HI", msg_type, len(payload)) + payload
    packets: list[bytes] = []
    while stream or not packets:
        packets.append((b"?" + stream[: PACKET - 1]).ljust(PACKET, b"\x00"))
        stream = stream[PACKET - 1 :]
    return packets


class Unframer:
    """Feeds packets until a whole message is there; returns ``(type, payload)`` then."""

    def __init__(self) -> None:
        self._type: int | None = None
        self._length = 0
        self._buf = b""

    def feed(self, packet: bytes) -> tuple[int, bytes] | None:
        if len(packet) != PACKET or packet[:1] != b"?":
            raise ValueError("a Trezor packet is 64 bytes starting with '?'")
        if self._type is None:
            if packet[1:3] != b"##":
                raise ValueError("first Trezor packet must start with '?##'")
            self._type, self._length = struct.unpack(">HI", packet[3:9])
            self._buf = packet[9:]
        else:
            self._buf += packet[1:]
        if len(self._buf) >= self._length:
            return self._type, self._buf[: self._length]
        return None
