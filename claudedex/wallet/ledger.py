"""A Ledger signer: the Ethereum app over any :class:`LedgerTransport`.

Why it re-derives and checks: the device returns only ``(v, r, s)``; we rebuild the raw
transaction from what we sent and recover its signer. A transport glitch, a wrong account
or a truncated ``v`` then fails loudly here instead of producing a transaction that the
node rejects or, worse, one signed by a key we did not mean to use.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import structlog
from eth_utils.address import to_checksum_address

from claudedex.errors import SignerRefused
from claudedex.wallet import ledger_apdu as ap
from claudedex.wallet.ledger_transport import LedgerTransport
from claudedex.wallet.txcodec import normalize

log = structlog.get_logger(__name__)


class LedgerSigner:
    kind = "ledger"

    def __init__(self, transport: LedgerTransport, path: str = "m/44'/60'/0'/0/0") -> None:
        self._transport = transport
        self._path = path
        self._indices = ap.parse_path(path)
        self._lock = threading.Lock()  # one conversation with the device at a time
        reply = ap.parse_address_reply(self._exchange(ap.get_address_apdu(self._indices)))
        self._address = to_checksum_address(reply.address)
        log.info("ledger.connected", address=self._address, path=path)

    @property
    def address(self) -> str:
        return self._address

    def __repr__(self) -> str:
        return f"LedgerSigner(address={self._address}, path={self._path!r})"

    def _exchange(self, apdu: bytes) -> bytes:
        data, sw = ap.split_sw(self._transport.exchange(apdu))
        if sw != ap.SW_OK:
            raise SignerRefused(str(ap.ApduError(sw)))
        return data

    def _sign_blocking(self, tx: dict[str, Any]) -> bytes:
        unsigned = normalize(tx)
        with self._lock:
            data = b""
            for command in ap.sign_tx_apdus(self._indices, unsigned.payload()):
                data = self._exchange(command)
        try:
            v, r, s = ap.parse_signature(data)
            parity = ap.parity_from_v(v, typed=unsigned.type == 2, chain_id=unsigned.chain_id)
        except ValueError as exc:
            raise SignerRefused(f"Ledger returned a malformed signature: {exc}") from None
        signer = unsigned.recover(parity, r, s)
        if signer != self._address:
            raise SignerRefused(
                f"Ledger signature recovers to {signer}, not {self._address}; nothing was sent"
            )
        return unsigned.raw(parity, r, s)

    async def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Send the payload in 255-byte APDUs; waits (in a thread) for the user's approval."""
        return await asyncio.to_thread(self._sign_blocking, tx)

    def close(self) -> None:
        self._transport.close()
