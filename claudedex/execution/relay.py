"""Private transaction submission through a relay speaking the Flashbots JSON-RPC.

Why: a swap sent to the public mempool can be sandwiched. ``eth_sendPrivateTransaction``
hands it to builders only; ``eth_sendBundle`` lands several transactions together or not at
all. Requests carry an ``X-Flashbots-Signature`` (an EIP-191 signature of the body's hash
by a reputation key that holds no funds) when a key is configured.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from eth_utils.crypto import keccak

from claudedex.errors import ChainError
from claudedex.rpc.jsonrpc import rpc_call
from claudedex.rpc.lazy_errors import client_error

if TYPE_CHECKING:  # at first use: execution (a backtest's too) imports this module
    import aiohttp


class RelayUnreachable(ChainError):
    """No connection to the relay: the transaction never left this process.

    Its text deliberately reads as a refusal (not "failed: ..."), so the send flow fails
    the order at once instead of retrying a relay that is down.
    """


def _hex(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else "0x" + raw.hex()


class RelayClient:
    """Client for eth_sendPrivateTransaction / eth_sendBundle / eth_cancelPrivateTransaction."""

    def __init__(self, url: str, *, auth_key: str = "", timeout_s: float = 5.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        from eth_account import Account  # here: eth_account is slow to import

        self._auth = Account.from_key(auth_key) if auth_key else None
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        import aiohttp

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
        from eth_account.messages import encode_defunct

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

    name = "private relay"

    def __init__(self, w3: Any, relay: RelayClient, *, max_blocks: int = 25) -> None:
        self._w3 = w3
        self.relay = relay
        self.max_blocks = max_blocks

    async def send(self, raw: bytes) -> str:
        head = int(await self._w3.eth.block_number)
        try:
            return await self.relay.send_private_transaction(
                raw, max_block_number=head + self.max_blocks)
        except ChainError as exc:
            from aiohttp import ClientConnectorError

            if isinstance(exc.__cause__, ClientConnectorError):
                raise RelayUnreachable(f"private relay {self.relay.url} is unreachable, "
                                       "nothing was sent") from exc
            raise


FallbackHook = Callable[[str], Awaitable[None]]


class FallbackBroadcaster:
    """Private first; when the relay errors, the same signed bytes go public.

    Only built when the profile says ``private_relay_fallback_public = true``: the
    operator chose delivery over protection. ``on_fallback`` records each fallback (the
    builder writes it to the audit log) so the route actually taken is on record.
    """

    name = "private relay, public fallback"

    def __init__(self, private: PrivateBroadcaster, public: Broadcaster,
                 on_fallback: FallbackHook | None = None) -> None:
        self.private = private
        self.public = public
        self.on_fallback = on_fallback

    async def send(self, raw: bytes) -> str:
        try:
            return await self.private.send(raw)
        except (ChainError, client_error(), TimeoutError, OSError) as exc:
            tx_hash = "0x" + keccak(raw).hex()
            if self.on_fallback is not None:
                await self.on_fallback(f"{tx_hash}: {str(exc)[:200]}")
            return await self.public.send(raw)
