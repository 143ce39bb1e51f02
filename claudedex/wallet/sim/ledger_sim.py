"""A Ledger Ethereum-app simulator: APDUs in, status words out, over HID frames or TCP.

It behaves like the app where the signer depends on it: the path travels in the first
SIGN chunk only (P1=0x00, then 0x80), chunks are at most 255 bytes, the transaction is
complete when its RLP says so, typed transactions get the bare y-parity and legacy ones
``chainId*2+35+parity`` truncated to one byte.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import deque

from eth_keys.datatypes import PrivateKey
from eth_utils.crypto import keccak

from claudedex.wallet import ledger_apdu as ap
from claudedex.wallet.ledger_transport import (
    PACKET,
    HidReassembler,
    hid_frames,
    read_speculos_request,
    speculos_response,
)
from claudedex.wallet.txcodec import decode_payload


def _derive(seed_key: bytes, indices: list[int]) -> PrivateKey:
    """Not BIP32: a deterministic per-path key so different paths give different accounts.

    The default path maps to ``seed_key`` itself, so tests can compare with eth-account.
    """
    if indices == ap.parse_path("m/44'/60'/0'/0/0"):
        return PrivateKey(seed_key)
    return PrivateKey(keccak(seed_key + b"".join(struct.pack(">I", i) for i in indices)))


def _rlp_total_length(buf: bytes) -> int | None:
    """Length of the whole (optionally typed) payload, once its list header has arrived."""
    start = 1 if buf[:1] and buf[0] < 0x7F else 0
    if len(buf) <= start:
        return None
    head = buf[start]
    if 0xC0 <= head <= 0xF7:
        return start + 1 + (head - 0xC0)
    if head > 0xF7:
        n = head - 0xF7
        if len(buf) < start + 1 + n:
            return None
        return start + 1 + n + int.from_bytes(buf[start + 1 : start + 1 + n], "big")
    raise ValueError("payload is not an RLP list")


class LedgerAppSimulator:
    """The Ethereum app's state machine; ``handle(apdu) -> data + sw``."""

    def __init__(self, private_key: bytes, *, approve: bool = True) -> None:
        self._seed = private_key
        self.approve = approve
        self._indices: list[int] | None = None
        self._payload = b""
        self.apdus: list[bytes] = []  # every APDU received, for tests to inspect

    def handle(self, apdu: bytes) -> bytes:
        self.apdus.append(apdu)
        try:
            data, sw = self._dispatch(apdu)
        except (ValueError, IndexError):
            self._reset()
            data, sw = b"", ap.SW_INVALID_DATA
        return data + struct.pack(">H", sw)

    def _reset(self) -> None:
        self._indices, self._payload = None, b""

    def _dispatch(self, apdu: bytes) -> tuple[bytes, int]:
        if len(apdu) < 5 or apdu[4] != len(apdu) - 5:
            return b"", ap.SW_WRONG_LENGTH
        cla, ins, p1, _p2 = apdu[:4]
        body = apdu[5:]
        if cla != ap.CLA:
            return b"", ap.SW_WRONG_APP
        if ins == ap.INS_GET_ADDRESS:
            indices = self._read_path(body)[0]
            public = _derive(self._seed, indices).public_key
            address = public.to_address()[2:].encode("ascii")
            raw = b"\x04" + public.to_bytes()
            return bytes([len(raw)]) + raw + bytes([len(address)]) + address, ap.SW_OK
        if ins != ap.INS_SIGN_TX:
            return b"", 0x6D00
        if p1 == ap.P1_FIRST:
            self._indices, rest = self._read_path(body)
            self._payload = rest
        elif p1 == ap.P1_MORE and self._indices is not None:
            self._payload += body
        else:
            self._reset()
            return b"", ap.SW_INVALID_DATA
        total = _rlp_total_length(self._payload)
        if total is None or len(self._payload) < total:
            return b"", ap.SW_OK  # wait for more chunks
        payload, indices = self._payload, self._indices
        self._reset()
        if len(payload) != total or indices is None:
            return b"", ap.SW_INVALID_DATA
        tx = decode_payload(payload)  # validates the structure like the app's parser
        if not self.approve:
            return b"", ap.SW_DENIED
        sig = _derive(self._seed, indices).sign_msg_hash(keccak(payload))
        if tx.type == 2:
            v = sig.v
        else:
            v = (tx.chain_id * 2 + 35 + sig.v) & 0xFF
        return bytes([v]) + sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big"), ap.SW_OK

    @staticmethod
    def _read_path(body: bytes) -> tuple[list[int], bytes]:
        count = body[0]
        if not 1 <= count <= 10 or len(body) < 1 + 4 * count:
            raise ValueError("bad path")
        indices = [struct.unpack(">I", body[1 + 4 * i : 5 + 4 * i])[0] for i in range(count)]
        return indices, body[1 + 4 * count :]


class SimulatedHidDevice:
    """Looks like ``hid.device`` to :class:`HidTransport`; unframes, runs the app, frames."""

    def __init__(self, app: LedgerAppSimulator) -> None:
        self.app = app
        self._inbox = HidReassembler()
        self._outbox: deque[bytes] = deque()
        self.closed = False

    def write(self, data: list[int] | bytes) -> int:
        report = bytes(data)
        if len(report) != PACKET + 1 or report[0] != 0:
            raise ValueError("a HID write is a 0x00 report id + 64 bytes")
        message = self._inbox.feed(report[1:])
        if message is not None:
            self._inbox = HidReassembler()
            self._outbox.extend(hid_frames(self.app.handle(message)))
        return len(report)

    def read(self, max_length: int, timeout_ms: int = 0) -> list[int]:
        return list(self._outbox.popleft()[:max_length]) if self._outbox else []

    def close(self) -> None:
        self.closed = True


class SpeculosServer:
    """The Speculos APDU socket on loopback, one thread per connection; ``stop()`` ends it."""

    def __init__(self, app: LedgerAppSimulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.05)  # lets accept() notice stop()
        self._stopping = threading.Event()
        self.host, self.port = self._listener.getsockname()[:2]
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._accept = threading.Thread(target=self._serve, name="speculos-sim", daemon=True)
        self._accept.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed
            conn.settimeout(None)
            self._conns.append(conn)
            t = threading.Thread(target=self._client, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _client(self, conn: socket.socket) -> None:
        with conn:
            while True:
                try:
                    apdu = read_speculos_request(conn)
                except (ConnectionError, OSError):
                    return
                with self._lock:
                    reply = self.app.handle(apdu)
                conn.sendall(speculos_response(reply[:-2], int.from_bytes(reply[-2:], "big")))

    def stop(self) -> None:
        self._stopping.set()
        self._accept.join(timeout=5)
        self._listener.close()
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the client
            conn.close()
        for t in self._threads:
            t.join(timeout=5)
