"""A Trezor signer speaking the Ethereum protobuf messages itself.

Why re-derive and check (as for Ledger): the device answers with ``(v, r, s)`` only; we build
the raw transaction from the fields we sent and recover its signer before releasing it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import structlog
from eth_utils.address import to_checksum_address

from claudedex.errors import SignerRefused
from claudedex.wallet import trezor_proto as tp
from claudedex.wallet.ledger_apdu import parse_path
from claudedex.wallet.trezor_transport import TrezorTransport
from claudedex.wallet.txcodec import UnsignedTx, normalize

log = structlog.get_logger(__name__)

MAX_CHAIN_ID = 2_147_483_630  # above this the firmware returns the bare parity as v


def sign_tx_message(indices: list[int], tx: UnsignedTx) -> tuple[int, bytes]:
    """EthereumSignTx (legacy) or EthereumSignTxEIP1559 with the first 1024 data bytes."""
    fields: list[tuple[int, tp.FieldValue]] = [(1, i) for i in indices]
    to = tx.to_checksum
    first = tx.data[: tp.DATA_CHUNK]
    if tx.type == 2:
        fields += [
            (2, tp.int_bytes(tx.nonce)),
            (3, tp.int_bytes(tx.max_fee_per_gas)),
            (4, tp.int_bytes(tx.max_priority_fee_per_gas)),
            (5, tp.int_bytes(tx.gas)),
        ]
        fields += [(6, to)] if to else []
        fields += [(7, tp.int_bytes(tx.value))]
        fields += [(8, first)] if first else []
        fields += [(9, len(tx.data)), (10, tx.chain_id)]
        for address, slots in tx.access_list:
            entry = [(1, to_checksum_address(address))] + [(2, k) for k in slots]
            fields.append((11, tp.encode(entry)))
        return tp.ETHEREUM_SIGN_TX_EIP1559, tp.encode(fields)
    fields += [
        (2, tp.int_bytes(tx.nonce)),
        (3, tp.int_bytes(tx.gas_price)),
        (4, tp.int_bytes(tx.gas)),
    ]
    fields += [(11, to)] if to else []
    fields += [(6, tp.int_bytes(tx.value))]
    fields += [(7, first)] if first else []
    fields += [(8, len(tx.data)), (9, tx.chain_id)]
    return tp.ETHEREUM_SIGN_TX, tp.encode(fields)


def parity_from_v(v: int, tx: UnsignedTx) -> int:
    if tx.type == 2 or v in (0, 1):
        parity = v if v in (0, 1) else v - 27
    else:
        parity = v - (tx.chain_id * 2 + 35)
    if parity not in (0, 1):
        raise SignerRefused(f"Trezor returned v={v}, which does not fit chain {tx.chain_id}")
    return parity


class TrezorSigner:
    kind = "trezor"

    def __init__(self, transport: TrezorTransport, path: str = "m/44'/60'/0'/0/0") -> None:
        self._transport = transport
        self._path = path
        self._indices = parse_path(path)
        self._lock = threading.Lock()  # one conversation with the device at a time
        with self._lock:
            self._call(tp.INITIALIZE, b"", expect=tp.FEATURES)
            fields = [(1, i) for i in self._indices]
            reply = self._call(tp.ETHEREUM_GET_ADDRESS, tp.encode(fields), tp.ETHEREUM_ADDRESS)
        text = tp.first_bytes(tp.decode(reply), 2).decode("ascii", "replace")
        try:
            self._address = to_checksum_address(text)
        except ValueError:
            raise SignerRefused(f"Trezor returned a malformed address {text!r}") from None
        log.info("trezor.connected", address=self._address, path=path)

    @property
    def address(self) -> str:
        return self._address

    def __repr__(self) -> str:
        return f"TrezorSigner(address={self._address}, path={self._path!r})"

    def _call(self, msg_type: int, payload: bytes, expect: int) -> bytes:
        """Send, answer ButtonRequests with ButtonAck, and return the expected reply."""
        self._transport.write(msg_type, payload)
        while True:
            got, body = self._transport.read()
            if got == tp.BUTTON_REQUEST:
                self._transport.write(tp.BUTTON_ACK, b"")
                continue
            if got == expect:
                return body
            if got == tp.FAILURE:
                message = tp.first_bytes(tp.decode(body), 2).decode("utf-8", "replace")
                raise SignerRefused(f"Trezor refused: {message or 'failure'}")
            if got in (tp.PIN_MATRIX_REQUEST, tp.PASSPHRASE_REQUEST):
                raise SignerRefused("the Trezor asks for its PIN/passphrase: unlock it first")
            raise SignerRefused(f"unexpected Trezor message type {got} (wanted {expect})")

    def _sign_blocking(self, tx: dict[str, Any]) -> bytes:
        unsigned = normalize(tx)
        msg_type, payload = sign_tx_message(self._indices, unsigned)
        sent = min(len(unsigned.data), tp.DATA_CHUNK)
        with self._lock:
            reply = tp.decode(self._call(msg_type, payload, tp.ETHEREUM_TX_REQUEST))
            while (wanted := tp.first_int(reply, 1, 0) or 0) > 0:
                if wanted > tp.DATA_CHUNK or sent + wanted > len(unsigned.data):
                    raise SignerRefused("the Trezor asked for data beyond the transaction")
                chunk = unsigned.data[sent : sent + wanted]
                sent += wanted
                ack = tp.encode([(1, chunk)])
                reply = tp.decode(self._call(tp.ETHEREUM_TX_ACK, ack, tp.ETHEREUM_TX_REQUEST))
        v = tp.first_int(reply, 2)
        r = int.from_bytes(tp.first_bytes(reply, 3), "big")
        s = int.from_bytes(tp.first_bytes(reply, 4), "big")
        if v is None or sent != len(unsigned.data):
            raise SignerRefused("the Trezor returned no signature")
        parity = parity_from_v(v, unsigned)
        signer = unsigned.recover(parity, r, s)
        if signer != self._address:
            raise SignerRefused(
                f"Trezor signature recovers to {signer}, not {self._address}; nothing was sent"
            )
        return unsigned.raw(parity, r, s)

    async def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Stream calldata in 1024-byte chunks; waits (in a thread) for the user's approval."""
        return await asyncio.to_thread(self._sign_blocking, tx)

    def close(self) -> None:
        self._transport.close()
