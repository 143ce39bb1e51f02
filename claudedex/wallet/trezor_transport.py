"""Carrying Trezor packets: the emulator's UDP port (21324) or USB HID.

Why blocking and tiny: the signer runs a whole conversation in a worker thread; a transport
only moves 64-byte packets. Messages are (type, protobuf payload) pairs.
"""

from __future__ import annotations

import socket
from typing import Any, Protocol

from claudedex.errors import SignerRefused
from claudedex.wallet import trezor_proto as tp

TREZOR_VENDOR_IDS = (0x534C, 0x1209)
EMULATOR_PORT = 21324


class TrezorTransport(Protocol):
    def write(self, msg_type: int, payload: bytes) -> None: ...

    def read(self) -> tuple[int, bytes]: ...

    def close(self) -> None: ...


class UdpTransport:
    """The Trezor emulator's UDP socket: one datagram per 64-byte packet."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = EMULATOR_PORT, timeout_s: float = 120
    ) -> None:
        self._addr = (host, port)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.settimeout(timeout_s)
        self._sock.connect(self._addr)

    def ping(self, timeout_s: float = 1.0) -> bool:
        """The emulator answers PINGPING with PONGPONG: is anything listening?"""
        old = self._sock.gettimeout()
        self._sock.settimeout(timeout_s)
        try:
            self._sock.send(b"PINGPING")
            return self._sock.recv(64) == b"PONGPONG"
        except OSError:
            return False
        finally:
            self._sock.settimeout(old)

    def write(self, msg_type: int, payload: bytes) -> None:
        try:
            for packet in tp.frame(msg_type, payload):
                self._sock.send(packet)
        except OSError as exc:
            host, port = self._addr
            raise SignerRefused(f"Trezor UDP {host}:{port} failed: {exc}") from None

    def read(self) -> tuple[int, bytes]:
        unframer = tp.Unframer()
        while True:
            try:
                packet = self._sock.recv(tp.PACKET)
            except OSError as exc:
                raise SignerRefused(f"the Trezor did not answer: {exc}") from None
            message = unframer.feed(packet)
            if message is not None:
                return message

    def close(self) -> None:
        self._sock.close()


class HidTransport:
    """A Trezor on USB through hidapi (report id 0x00 prefixed on writes)."""

    def __init__(self, device: Any | None = None, *, timeout_ms: int = 120_000) -> None:
        self._device = device if device is not None else _open_hid()
        self._timeout_ms = timeout_ms

    def write(self, msg_type: int, payload: bytes) -> None:
        for packet in tp.frame(msg_type, payload):
            self._device.write(b"\x00" + packet)

    def read(self) -> tuple[int, bytes]:
        unframer = tp.Unframer()
        while True:
            packet = bytes(self._device.read(tp.PACKET, self._timeout_ms))
            if not packet:
                raise SignerRefused("the Trezor did not answer (timed out waiting for it)")
            message = unframer.feed(packet)
            if message is not None:
                return message

    def close(self) -> None:
        self._device.close()


def _open_hid() -> Any:
    try:
        import hid  # lazy: optional dependency, only a real Trezor needs it
    except ImportError:
        raise SignerRefused(
            "the Trezor signer over USB needs hidapi: install the extra with "
            "`pip install 'claudedex[hw]'`"
        ) from None
    for vendor in TREZOR_VENDOR_IDS:
        found = hid.enumerate(vendor, 0)
        if found:
            device = hid.device()
            device.open_path(found[0]["path"])
            return device
    raise SignerRefused("no Trezor found on USB: plug it in and unlock it")
