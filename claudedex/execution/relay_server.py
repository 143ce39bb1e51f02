"""A local relay speaking the Flashbots JSON-RPC that forwards to an anvil node.

Why: the devnet must exercise the private-send path end to end (request shape, signature
header, errors) without the internet. Private transactions go to the node with
``eth_sendRawTransaction``; a bundle is made atomic on anvil by pausing automine, sending
every transaction and mining one block (when the node was automining).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import structlog
from aiohttp import web
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.crypto import keccak

from claudedex.errors import ChainError, RpcError
from claudedex.rpc.jsonrpc import rpc_call

log = structlog.get_logger(__name__)


class RelayServer:
    """``await RelayServer(upstream).start()`` returns the URL; ``stop()`` closes it."""

    def __init__(self, upstream_url: str, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream_url
        self.host = host
        self.port = port
        self.private_hashes: list[str] = []
        self.bundles: list[list[str]] = []
        self.signers: list[str] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/", self._handle)
        self._session = aiohttp.ClientSession()
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]  # a TCP site's server has sockets
        log.info("relay.started", url=self.url, upstream=self.upstream)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> RelayServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _up(self, method: str, params: list[Any]) -> Any:
        assert self._session is not None  # set in start()
        return await rpc_call(self._session, self.upstream, method, params, timeout_s=30)

    def _check_signature(self, header: str, body: bytes) -> str | None:
        """Recover the X-Flashbots-Signature signer; None when absent, error when forged."""
        if not header:
            return None
        address, _, sig = header.partition(":")
        digest = "0x" + keccak(body).hex()
        signer = Account.recover_message(encode_defunct(text=digest), signature=sig)
        if signer.lower() != address.lower():
            raise ValueError("X-Flashbots-Signature does not match the body")
        return str(signer)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        req_id: Any = None
        try:
            payload = await request.json()
            req_id = payload.get("id")
            signer = self._check_signature(request.headers.get("X-Flashbots-Signature", ""), body)
            if signer:
                self.signers.append(signer)
            result = await self._dispatch(str(payload.get("method")), payload.get("params") or [])
        except RpcError as exc:
            return web.json_response({"jsonrpc": "2.0", "id": req_id,
                                      "error": {"code": exc.code, "message": exc.rpc_message}})
        except (ValueError, KeyError, TypeError, ChainError) as exc:
            return web.json_response({"jsonrpc": "2.0", "id": req_id,
                                      "error": {"code": -32602, "message": str(exc)}})
        return web.json_response({"jsonrpc": "2.0", "id": req_id, "result": result})

    async def _dispatch(self, method: str, params: list[Any]) -> Any:
        if method == "eth_sendPrivateTransaction":
            tx = params[0]["tx"]
            tx_hash = await self._up("eth_sendRawTransaction", [tx])
            self.private_hashes.append(str(tx_hash))
            return tx_hash
        if method == "eth_sendBundle":
            return {"bundleHash": await self._send_bundle(list(params[0]["txs"]))}
        if method == "eth_cancelPrivateTransaction":
            await self._up("anvil_dropTransaction", [params[0]["txHash"]])
            return True
        raise RpcError.answered(method, -32601,
                                f"method {method} not supported by the devnet relay")

    async def _send_bundle(self, txs: list[str]) -> str:
        automine = bool(await self._up("anvil_getAutomine", []))
        hashes: list[str] = []
        if automine:
            await self._up("evm_setAutomine", [False])
        try:
            for raw in txs:
                hashes.append(str(await self._up("eth_sendRawTransaction", [raw])))
            if automine:
                await self._up("evm_mine", [])
        except RpcError:
            for tx_hash in hashes:  # all or nothing: take back what was already pooled
                await self._up("anvil_dropTransaction", [tx_hash])
            raise
        finally:
            if automine:
                await self._up("evm_setAutomine", [True])
        self.bundles.append(hashes)
        return "0x" + keccak(b"".join(bytes.fromhex(h[2:]) for h in hashes)).hex()
