"""A Trezor simulator on loopback UDP, like the firmware emulator on port 21324, or behind a
``hid.device`` look-alike (:class:`SimulatedTrezorHid`) for the USB HID transport.

It decodes the protobuf messages the way the firmware does, asks for a button press
(ButtonRequest → ButtonAck) before signing, requests calldata in 1024-byte chunks with
EthereumTxRequest and signs the transaction it rebuilt itself with a test key.
"""

from __future__ import annotations

import socket
import threading
from collections import deque

from eth_keys.datatypes import PrivateKey
from eth_utils.address import to_canonical_address

from claudedex.wallet import trezor_proto as tp
from claudedex.wallet.ledger_apdu import parse_path
from claudedex.wallet.sim.ledger_sim import _derive
from claudedex.wallet.trezor import MAX_CHAIN_ID
from claudedex.wallet.txcodec import UnsignedTx

DEFAULT_PATH = parse_path("m/44'/60'/0'/0/0")


def _int(fields: tp.Fields, n: int) -> int:
    return int.from_bytes(tp.first_bytes(fields, n), "big")


def _to(fields: tp.Fields, n: int) -> bytes:
    text = tp.first_bytes(fields, n).decode("ascii")
    return to_canonical_address(text) if text else b""


class TrezorSimulator:
    """The device state machine: ``handle(type, payload) -> [(type, payload), ...]``."""

    def __init__(self, private_key: bytes, *, approve: bool = True) -> None:
        self._seed = private_key
        self.approve = approve
        self._pending: tuple[list[int], UnsignedTx, bytes, int] | None = None
        self._awaiting_button: bool = False
        self.received: list[int] = []  # message types received, for tests

    def _key(self, indices: list[int]) -> PrivateKey:
        return _derive(self._seed, indices)

    def handle(self, msg_type: int, payload: bytes) -> list[tuple[int, bytes]]:
        self.received.append(msg_type)
        try:
            return self._dispatch(msg_type, tp.decode(payload))
        except (ValueError, KeyError, IndexError) as exc:
            self._pending = None
            return [(tp.FAILURE, tp.encode([(1, 3), (2, f"DataError: {exc}")]))]

    def _dispatch(self, msg_type: int, f: tp.Fields) -> list[tuple[int, bytes]]:
        if msg_type == tp.INITIALIZE:
            self._pending = None
            return [(tp.FEATURES, tp.encode([(1, "trezor.io"), (2, 2), (3, 8)]))]
        if msg_type == tp.ETHEREUM_GET_ADDRESS:
            indices = [v for v in f.get(1, []) if isinstance(v, int)]
            address = self._key(indices).public_key.to_checksum_address()
            return [(tp.ETHEREUM_ADDRESS, tp.encode([(2, address)]))]
        if msg_type in (tp.ETHEREUM_SIGN_TX, tp.ETHEREUM_SIGN_TX_EIP1559):
            return self._start(msg_type, f)
        if msg_type == tp.BUTTON_ACK and self._awaiting_button:
            self._awaiting_button = False
            if not self.approve:
                self._pending = None
                return [(tp.FAILURE, tp.encode([(1, 4), (2, "Cancelled")]))]
            return self._next()
        if msg_type == tp.ETHEREUM_TX_ACK and self._pending is not None:
            indices, tx, data, total = self._pending
            data += tp.first_bytes(f, 1)
            if len(data) > total:
                raise ValueError("more data than announced")
            self._pending = (indices, tx, data, total)
            return self._next()
        return [(tp.FAILURE, tp.encode([(1, 1), (2, "Unexpected message")]))]

    def _start(self, msg_type: int, f: tp.Fields) -> list[tuple[int, bytes]]:
        indices = [v for v in f.get(1, []) if isinstance(v, int)]
        total = tp.first_int(f, 9 if msg_type == tp.ETHEREUM_SIGN_TX_EIP1559 else 8, 0) or 0
        if msg_type == tp.ETHEREUM_SIGN_TX_EIP1559:
            access = []
            for raw in f.get(11, []):
                entry = tp.decode(bytes(raw)) if isinstance(raw, bytes) else {}
                slots = tuple(v for v in entry.get(2, []) if isinstance(v, bytes))
                access.append((_to(entry, 1), slots))
            tx = UnsignedTx(
                type=2,
                nonce=_int(f, 2),
                max_fee_per_gas=_int(f, 3),
                max_priority_fee_per_gas=_int(f, 4),
                gas=_int(f, 5),
                to=_to(f, 6),
                value=_int(f, 7),
                data=b"",
                chain_id=tp.first_int(f, 10) or 0,
                access_list=tuple(access),
            )
            first = tp.first_bytes(f, 8)
        else:
            tx = UnsignedTx(
                type=0,
                nonce=_int(f, 2),
                gas_price=_int(f, 3),
                gas=_int(f, 4),
                to=_to(f, 11),
                value=_int(f, 6),
                data=b"",
                chain_id=tp.first_int(f, 9) or 0,
            )
            first = tp.first_bytes(f, 7)
        if not tx.chain_id or len(first) > tp.DATA_CHUNK or len(first) > total:
            raise ValueError("bad chain id or initial data chunk")
        self._pending = (indices, tx, first, total)
        self._awaiting_button = True
        return [(tp.BUTTON_REQUEST, tp.encode([(1, 8)]))]  # ButtonRequest_SignTx

    def _next(self) -> list[tuple[int, bytes]]:
        assert self._pending is not None  # callers checked
        indices, tx, data, total = self._pending
        if len(data) < total:
            wanted = min(tp.DATA_CHUNK, total - len(data))
            return [(tp.ETHEREUM_TX_REQUEST, tp.encode([(1, wanted)]))]
        self._pending = None
        full = UnsignedTx(**{**tx.__dict__, "data": data})
        sig = self._key(indices).sign_msg_hash(full.signing_hash())
        if full.type == 2 or full.chain_id > MAX_CHAIN_ID:
            v = sig.v
        else:
            v = sig.v + 2 * full.chain_id + 35
        reply = [(2, v), (3, sig.r.to_bytes(32, "big")), (4, sig.s.to_bytes(32, "big"))]
        return [(tp.ETHEREUM_TX_REQUEST, tp.encode(reply))]


class TrezorUdpServer:
    """Serves a :class:`TrezorSimulator` on a loopback UDP port; ``stop()`` ends it."""

    def __init__(self, device: TrezorSimulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.device = device
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        self._sock.settimeout(0.05)  # lets the loop notice stop(); close() alone won't wake it
        self.host, self.port = self._sock.getsockname()[:2]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="trezor-sim", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        unframer = tp.Unframer()
        while not self._stopping.is_set():
            try:
                packet, peer = self._sock.recvfrom(tp.PACKET)
            except TimeoutError:
                continue
            except OSError:
                return  # socket closed
            if packet == b"PINGPING":
                self._sock.sendto(b"PONGPONG", peer)
                continue
            try:
                message = unframer.feed(packet)
            except ValueError:
                unframer = tp.Unframer()
                continue
            if message is None:
                continue
            unframer = tp.Unframer()
            for reply_type, body in self.device.handle(*message):
                for out in tp.frame(reply_type, body):
                    self._sock.sendto(out, peer)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._sock.close()


class SimulatedTrezorHid:
    """Looks like ``hid.device`` to :class:`~claudedex.wallet.trezor_transport.HidTransport`:
    takes 65-byte writes (report id 0x00 + one 64-byte packet), unframes, runs the
    simulator, and hands back its framed answers one 64-byte read at a time."""

    def __init__(self, device: TrezorSimulator) -> None:
        self.device = device
        self._inbox = tp.Unframer()
        self._outbox: deque[bytes] = deque()
        self.writes: list[bytes] = []  # every report written, as sent
        self.closed = False

    def write(self, data: list[int] | bytes) -> int:
        report = bytes(data)
        if len(report) != tp.PACKET + 1 or report[0] != 0:
            raise ValueError("a HID write is a 0x00 report id + 64 bytes")
        self.writes.append(report)
        message = self._inbox.feed(report[1:])
        if message is not None:
            self._inbox = tp.Unframer()
            for reply_type, body in self.device.handle(*message):
                self._outbox.extend(tp.frame(reply_type, body))
        return len(report)

    def read(self, max_length: int, timeout_ms: int = 0) -> list[int]:
        return list(self._outbox.popleft()[:max_length]) if self._outbox else []

    def close(self) -> None:
        self.closed = True
