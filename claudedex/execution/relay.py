"""Private transaction submission through a relay speaking the Flashbots JSON-RPC.

Why: a swap sent to the public mempool can be sandwiched. ``eth_sendPrivateTransaction``
hands it to builders only; ``eth_sendBundle`` lands several transactions together or not at
all. Requests carry an ``X-Flashbots-Signature`` (an EIP-191 signature of the body's hash
by a reputation key that holds no funds) when a key is configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import aiohttp
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.crypto import keccak

from claudedex.rpc.jsonrpc import rpc_call


def _hex(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else "0x" + raw.hex()


class RelayClient:
    """Client for eth_sendPrivateTransaction / eth_sendBundle / eth_cancelPrivateTransaction."""

    def __init__(self, url: str, *, auth_key: str = "", timeout_s: float = 5.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self._auth = Account.from_key(auth_key) if auth_key else None
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _sign(self, body: bytes) -> dict[str, str]:
        """Flashbots auth: EIP-191 signature of the hex keccak of the exact body."""
        if self._auth is None:
            return {}
        digest = "0x" + keccak(body).hex()
        sig = self._auth.sign_message(encode_defunct(text=digest)).signature
        return {"X-Flashbots-Signature": f"{self._auth.address}:0x{bytes(sig).hex()}"}

    async def _call(self, method: str, params: list[Any]) -> Any:
        return await rpc_call(self._get_session(), self.url, method, params,
                              sign=self._sign, timeout_s=self.timeout_s)

    async def send_private_transaction(
        self, raw: bytes | str, *, max_block_number: int | None = None, fast: bool = True
    ) -> str:
        req: dict[str, Any] = {"tx": _hex(raw), "preferences": {"fast": fast}}
        if max_block_number is not None:
            req["maxBlockNumber"] = hex(max_block_number)
        return str(await self._call("eth_sendPrivateTransaction", [req]))

    async def send_bundle(self, raws: Sequence[bytes | str], block_number: int) -> str:
        req = {"txs": [_hex(r) for r in raws], "blockNumber": hex(block_number)}
        result = await self._call("eth_sendBundle", [req])
        return str(result["bundleHash"]) if isinstance(result, dict) else str(result)

    async def cancel_private_transaction(self, tx_hash: str) -> bool:
        return bool(await self._call("eth_cancelPrivateTransaction", [{"txHash": tx_hash}]))


class Broadcaster(Protocol):
    """Where a signed transaction goes: the public mempool or a private relay."""

    name: str

    async def send(self, raw: bytes) -> str:
        """Submit; returns the transaction hash (0x-hex)."""
        ...


class PublicBroadcaster:
    name = "public"

    def __init__(self, w3: Any) -> None:
        self._w3 = w3

    async def send(self, raw: bytes) -> str:
        tx_hash = await self._w3.eth.send_raw_transaction(raw)
        return "0x" + bytes(tx_hash).hex()


class PrivateBroadcaster:
    """Sends through a relay; the transaction is valid for ``max_blocks`` blocks."""

    name = "private"

    def __init__(self, w3: Any, relay: RelayClient, *, max_blocks: int = 25) -> None:
        self._w3 = w3
        self.relay = relay
        self.max_blocks = max_blocks

    async def send(self, raw: bytes) -> str:
        head = int(await self._w3.eth.block_number)
        return await self.relay.send_private_transaction(raw,
                                                         max_block_number=head + self.max_blocks)
