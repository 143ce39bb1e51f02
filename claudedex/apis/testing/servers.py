"""One local aiohttp server that answers like DexScreener, GoPlus, honeypot.is and TokenSniffer.

Why one server with four route sets: tests and the devnet need all three at once, on
loopback, with data they control (``ApiData``), and with failure injection (``fail_next``
answers 503, ``delay_s`` simulates a slow service) to exercise retries and the breaker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class ApiData:
    """What the fake services know; tests fill it in."""

    pairs: list[dict[str, Any]] = field(default_factory=list)  # DexScreener Pair objects
    profiles: list[dict[str, Any]] = field(default_factory=list)
    goplus: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> result entry
    honeypot: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> full body
    tokensniffer: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> body
    tokensniffer_key: str = ""  # when set, other apikey values get 401
    queries: list[dict[str, str]] = field(default_factory=list)  # TokenSniffer query strings
    fail_next: int = 0
    delay_s: float = 0.0
    requests: int = 0


def dexscreener_pair(chain_id: str, pair: str, base: tuple[str, str, str],
                     quote: tuple[str, str, str], price_native: str, liquidity_usd: float,
                     created_ms: int, dex_id: str = "uniswap") -> dict[str, Any]:
    """A Pair object in DexScreener's documented shape."""
    return {
        "chainId": chain_id, "dexId": dex_id, "url": f"https://dexscreener.com/{chain_id}/{pair}",
        "pairAddress": pair,
        "baseToken": {"address": base[0], "name": base[1], "symbol": base[2]},
        "quoteToken": {"address": quote[0], "name": quote[1], "symbol": quote[2]},
        "priceNative": price_native, "priceUsd": None,
        "txns": {k: {"buys": 0, "sells": 0} for k in ("m5", "h1", "h6", "h24")},
        "volume": {"h24": 0, "h6": 0, "h1": 0, "m5": 0},
        "priceChange": {"h24": 0}, "liquidity": {"usd": liquidity_usd, "base": 0, "quote": 0},
        "fdv": None, "pairCreatedAt": created_ms,
    }


def tokensniffer_body(chain_id: int, token: str, score: int, *, failed: tuple[str, ...] = (),
                      flagged: bool = False, sellable: bool = True, sell_fee: float = 0.0
                      ) -> dict[str, Any]:
    """A ``ready`` answer in TokenSniffer's documented shape (tests that pass have
    ``result`` true)."""
    ids = ("testForMissingSource", "testForUnlimitedMint", "testForHighCreatorTokenBalance",
           "testForInadequateLiquidity", *failed)
    return {
        "message": "OK", "status": "ready", "chainId": str(chain_id), "address": token,
        "refreshed_at": 1_700_000_000_000, "name": "Token", "symbol": "TKN",
        "total_supply": "1000000", "decimals": 18, "deployed_at": 1_700_000_000_000,
        "deployer_addr": "0x" + "11" * 20, "owner_addr": "0x" + "00" * 20,
        "is_flagged": flagged, "exploits": [], "score": score,
        "tests": [{"id": i, "description": i, "result": i not in failed} for i in ids],
        "metrics": {"liquidity_usd": 1000},
        "swap_simulation": {"is_sellable": sellable, "buy_fee": 0, "sell_fee": sell_fee},
    }


def build_app(data: ApiData) -> web.Application:
    async def gate(request: web.Request) -> web.Response | None:
        data.requests += 1
        if data.delay_s:
            await asyncio.sleep(data.delay_s)
        if data.fail_next > 0:
            data.fail_next -= 1
            return web.json_response({"error": "unavailable"}, status=503)
        return None

    async def pairs(request: web.Request) -> web.Response:
        if (early := await gate(request)) is not None:
            return early
        wanted = {a.lower() for a in request.match_info["addrs"].split(",")}
        chain = request.match_info["chain"]
        found = [p for p in data.pairs
                 if p["pairAddress"].lower() in wanted and p["chainId"] == chain]
        return web.json_response({"schemaVersion": "1.0.0", "pairs": found or None})

    async def tokens(request: web.Request) -> web.Response:
        if (early := await gate(request)) is not None:
            return early
        wanted = {a.lower() for a in request.match_info["addrs"].split(",")}
        found = [p for p in data.pairs if p["baseToken"]["address"].lower() in wanted
                 or p["quoteToken"]["address"].lower() in wanted]
        return web.json_response({"schemaVersion": "1.0.0", "pairs": found})

    async def profiles(request: web.Request) -> web.Response:
        if (early := await gate(request)) is not None:
            return early
        return web.json_response(data.profiles)

    async def goplus(request: web.Request) -> web.Response:
        if (early := await gate(request)) is not None:
            return early
        addrs = request.query.get("contract_addresses", "").lower().split(",")
        result = {a: data.goplus[a] for a in addrs if a in data.goplus}
        return web.json_response({"code": 1, "message": "OK", "result": result})

    async def honeypot(request: web.Request) -> web.Response:
        if (early := await gate(request)) is not None:
            return early
        token = request.query.get("address", "").lower()
        body = data.honeypot.get(token)
        if body is None:
            return web.json_response({"error": "token not found"}, status=404)
        return web.json_response(body)

    async def tokensniffer(request: web.Request) -> web.Response:
        if (early := await gate(request)) is not None:
            return early
        data.queries.append(dict(request.query))
        if data.tokensniffer_key and request.query.get("apikey") != data.tokensniffer_key:
            return web.json_response({"message": "invalid api key", "status": "error"},
                                     status=401)
        body = data.tokensniffer.get(request.match_info["addr"].lower())
        if body is None:  # TokenSniffer starts an audit of a token it has not seen
            return web.json_response({"message": "OK", "status": "pending"})
        return web.json_response(body)

    app = web.Application()
    app.router.add_get("/latest/dex/pairs/{chain}/{addrs}", pairs)
    app.router.add_get("/latest/dex/tokens/{addrs}", tokens)
    app.router.add_get("/token-profiles/latest/v1", profiles)
    app.router.add_get("/api/v1/token_security/{chain}", goplus)
    app.router.add_get("/v2/IsHoneypot", honeypot)
    app.router.add_get("/api/v2/tokens/{chain}/{addr}", tokensniffer)
    return app


class ApiServer:
    """Runs the app on 127.0.0.1 (random port); ``async with`` or start()/stop()."""

    def __init__(self, data: ApiData | None = None, port: int = 0) -> None:
        self.data = data or ApiData()
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> ApiServer:
        self._runner = web.AppRunner(build_app(self.data))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = int(sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ApiServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
