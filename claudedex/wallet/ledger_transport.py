"""Ways to carry an APDU to a Ledger: USB HID framing, or Speculos's TCP APDU socket.

Why an abstraction: the signer speaks APDUs only; whether they travel in 64-byte HID
packets to a real device or length-prefixed over TCP to the Speculos emulator (or our
simulator) is the transport's business. Transports are blocking; the signer runs them in
a worker thread.
"""

from __future__ import annotations

import socket
import struct
from typing import Any, Protocol

from claudedex.errors import SignerRefused

LEDGER_VENDOR_ID = 0x2C97
CHANNEL = 0x0101
TAG_APDU = 0x05
PACKET = 64


class LedgerTransport(Protocol):
    def exchange(self, apdu: bytes) -> bytes:
        """Send one APDU; return the response data followed by the 2-byte status word."""
        ...

    def close(self) -> None: ...


class HidDevice(Protocol):
    """The subset of ``hid.device`` we use (the simulator implements it too)."""

    def write(self, data: list[int] | bytes) -> int: ...

    def read(self, max_length: int, timeout_ms: int = 0) -> list[int]: ...

    def close(self) -> None: ...


def hid_frames(message: bytes, channel: int = CHANNEL) -> list[bytes]:
    """Frame a message: ``channel(2) tag(1) seq(2)``, the first also ``length(2)``; 64 bytes."""
    frames: list[bytes] = []
    rest = struct.pack(">H", len(message)) + message
    seq = 0
    while rest or not frames:
        header = struct.pack(">HBH", channel, TAG_APDU, seq)
        room = PACKET - len(header)
        frames.append((header + rest[:room]).ljust(PACKET, b"\x00"))
        rest = rest[room:]
        seq += 1
    return frames


class HidReassembler:
    """Collects 64-byte frames until a whole message has arrived; checks every header."""

    def __init__(self, channel: int = CHANNEL) -> None:
        self._channel = channel
        self._seq = 0
        self._length: int | None = None
        self._buf = b""

    def feed(self, frame: bytes) -> bytes | None:
        if len(frame) < 7:
            raise ValueError("HID frame too short")
        channel, tag, seq = struct.unpack(">HBH", frame[:5])
        if channel != self._channel or tag != TAG_APDU or seq != self._seq:
            raise ValueError(f"unexpected HID frame header ch={channel:#x} tag={tag} seq={seq}")
        body = frame[5:]
        if self._length is None:
            self._length = struct.unpack(">H", body[:2])[0]
            body = body[2:]
        self._buf += body
        self._seq += 1
        if len(self._buf) >= self._length:
            return self._buf[: self._length]
        return None


class HidTransport:
    """A Ledger on USB. ``device`` defaults to the first Ledger found through hidapi."""

    def __init__(self, device: HidDevice | None = None, *, timeout_ms: int = 120_000) -> None:
        self._device = device if device is not None else open_hid_device()
        self._timeout_ms = timeout_ms

    def exchange(self, apdu: bytes) -> bytes:
        for frame in hid_frames(apdu):
            self._device.write(b"\x00" + frame)  # leading 0x00: HID report id
        reassembler = HidReassembler()
        while True:
            packet = bytes(self._device.read(PACKET, self._timeout_ms))
            if not packet:
                raise SignerRefused("the Ledger did not answer (timed out waiting for it)")
            message = reassembler.feed(packet)
            if message is not None:
                return message

    def close(self) -> None:
        self._device.close()


def open_hid_device() -> HidDevice:
    """Open the first Ledger over hidapi; a clear error when hidapi or the device is missing."""
    try:
        import hid  # lazy: optional dependency, only a real Ledger needs it
    except ImportError:
        raise SignerRefused(
            "the Ledger signer over USB needs hidapi: install the extra with "
            "`pip install 'claudedex[hw]'`"
        ) from None
    candidates: list[dict[str, Any]] = [
        d
        for d in hid.enumerate(LEDGER_VENDOR_ID, 0)
        if d.get("interface_number", 0) == 0 or d.get("usage_page") == 0xFFA0
    ]
    if not candidates:
        raise SignerRefused("no Ledger found on USB: plug it in, unlock it, open the Ethereum app")
    device = hid.device()
    device.open_path(candidates[0]["path"])
    device.set_nonblocking(False)
    result: HidDevice = device
    return result


def speculos_request(apdu: bytes) -> bytes:
    return struct.pack(">I", len(apdu)) + apdu


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            raise ConnectionError("the APDU socket closed mid-message")
        buf += part
    return buf


def read_speculos_response(sock: socket.socket) -> bytes:
    """``length(4) | data | sw(2)`` where length counts the data only; returns data + sw."""
    (length,) = struct.unpack(">I", _recv_exact(sock, 4))
    return _recv_exact(sock, length + 2)


def read_speculos_request(sock: socket.socket) -> bytes:
    (length,) = struct.unpack(">I", _recv_exact(sock, 4))
    return _recv_exact(sock, length)


def speculos_response(data: bytes, sw: int) -> bytes:
    return struct.pack(">I", len(data)) + data + struct.pack(">H", sw)


class TcpTransport:
    """Speculos's APDU socket (default port 9999), or :mod:`claudedex.wallet.sim`'s."""

    def __init__(self, host: str = "127.0.0.1", port: int = 9999, timeout_s: float = 120) -> None:
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout_s)
        except OSError as exc:
            raise SignerRefused(f"cannot reach Ledger APDU socket {host}:{port}: {exc}") from None

    def exchange(self, apdu: bytes) -> bytes:
        try:
            self._sock.sendall(speculos_request(apdu))
            return read_speculos_response(self._sock)
        except OSError as exc:
            raise SignerRefused(f"Ledger APDU socket failed: {exc}") from None

    def close(self) -> None:
        self._sock.close()
