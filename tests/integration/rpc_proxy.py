"""A loopback JSON-RPC proxy in front of anvil, for tests that need a node which misbehaves
in one particular way (stalls, fails, refuses a method): subclasses answer in ``_handle``,
forwarding through ``self._session`` to ``self.upstream`` what they pass on."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession, web


class JsonRpcProxy:
    """``await start()`` gives the proxy's URL; ``await stop()`` closes it."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/", self._handle)
        self._session = ClientSession()
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        await self._runner.cleanup()
        await self._session.close()

    async def _handle(self, request: web.Request) -> Any:
        raise NotImplementedError
