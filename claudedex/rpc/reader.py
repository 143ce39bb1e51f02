"""Raw JSON-RPC reads: eth_call, eth_simulateV1, storage, code, blocks, logs.

Why raw requests (``provider.make_request``) instead of web3's typed methods: the safety
checks send state overrides and multi-block simulations, read reverts as data (a revert is
a finding, not an error) and must stay fast; web3's formatters and exceptions get in the way
of all three. Discovery and ML observation read through the same client.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from claudedex.errors import ChainError, RpcError
from claudedex.rpc.lazy_errors import client_error

if TYPE_CHECKING:  # web3 is slow to import; a backtest never reads a chain
    from web3 import AsyncWeb3
    from web3.types import RPCEndpoint


async def request(w3: AsyncWeb3[Any], method: str, params: list[Any]) -> Any:
    """One raw request; returns ``result``, raises :class:`RpcError` on an error answer."""
    resp = await w3.provider.make_request(cast("RPCEndpoint", method), params)
    if "error" in resp:
        raise RpcError(method, resp["error"])
    return resp.get("result")


class ChainReader:
    """A thin async JSON-RPC client over an AsyncWeb3 provider."""

    def __init__(self, w3: AsyncWeb3[Any], *, concurrency: int = 32) -> None:
        self.w3 = w3
        self._gate = asyncio.Semaphore(concurrency)
        self._simulate_ok: bool | None = None

    async def request(self, method: str, params: list[Any]) -> Any:
        """:func:`request` through the concurrency gate; an unreachable node is a ChainError."""
        async with self._gate:
            try:
                return await request(self.w3, method, params)
            except (OSError, TimeoutError, client_error()) as exc:
                raise ChainError(f"{method}: node unreachable: {exc}") from exc

    async def call(
        self,
        to: str,
        data: bytes,
        *,
        sender: str | None = None,
        block: str | int = "latest",
        overrides: dict[str, Any] | None = None,
        gas: int | None = None,
    ) -> bytes | None:
        """eth_call; ``None`` when the call reverts (that is data for a check, not an error)."""
        tx: dict[str, Any] = {"to": to, "data": "0x" + data.hex()}
        if sender:
            tx["from"] = sender
        if gas:
            tx["gas"] = hex(gas)
        tag = block if isinstance(block, str) else hex(block)
        params: list[Any] = [tx, tag]
        if overrides:
            params.append(overrides)
        try:
            out = await self.request("eth_call", params)
        except RpcError as exc:
            if _is_revert(exc.error):
                return None
            raise
        return bytes.fromhex(str(out)[2:])

    async def call_word(self, to: str, data: bytes, **kw: Any) -> int | None:
        out = await self.call(to, data, **kw)
        if out is None or len(out) < 32:
            return None
        return int.from_bytes(out[:32], "big")

    async def simulate(self, blocks: list[dict[str, Any]], block: str = "latest") -> list[Any]:
        """eth_simulateV1 with validation off; returns the simulated blocks."""
        payload = {"blockStateCalls": blocks, "validation": False}
        result = await self.request("eth_simulateV1", [payload, block])
        return list(result)

    async def supports_simulate(self) -> bool:
        """Whether the node implements eth_simulateV1 (asked once, remembered)."""
        if self._simulate_ok is None:
            try:
                await self.simulate([{"calls": []}])
                self._simulate_ok = True
            except RpcError:
                self._simulate_ok = False
        return self._simulate_ok

    async def code(self, address: str, block: str | int = "latest") -> bytes:
        tag = block if isinstance(block, str) else hex(block)
        out = await self.request("eth_getCode", [address, tag])
        return bytes.fromhex(str(out)[2:])

    async def storage(self, address: str, slot: int, block: str = "latest") -> int:
        out = await self.request("eth_getStorageAt", [address, hex(slot), block])
        return int(str(out), 16)

    async def block(self, tag: str | int = "latest") -> dict[str, Any]:
        ident = tag if isinstance(tag, str) else hex(tag)
        out = await self.request("eth_getBlockByNumber", [ident, False])
        return dict(out)

    async def block_number(self) -> int:
        return int(await self.request("eth_blockNumber", []), 16)

    async def logs(self, flt: dict[str, Any]) -> list[dict[str, Any]]:
        return list(await self.request("eth_getLogs", [flt]))


def _is_revert(error: Any) -> bool:
    if not isinstance(error, dict):
        return False
    message = str(error.get("message", "")).lower()
    return (
        error.get("code") == 3
        or "revert" in message
        or "execution" in message
        or "out of gas" in message
        or "invalid opcode" in message
    )
