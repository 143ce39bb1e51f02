"""A local aggregator serving the 1inch Swap API v6 JSON shape over the devnet's V2 venues.

Why: the aggregator path (HTTP, JSON shape, errors, router calldata it returns) must be
tested against a real peer. This one quotes every configured venue from live reserves and
returns Router02 calldata for the best one, with amountOutMin from the requested slippage.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from aiohttp import web
from eth_utils.address import is_address, to_checksum_address

from claudedex.amm import BPS
from claudedex.execution import calls
from claudedex.execution.aggregator import NATIVE
from claudedex.execution.routing import VenueRef, best_v2_quote
from claudedex.execution.slippage import chain_deadline
from claudedex.rpc import async_web3

log = structlog.get_logger(__name__)


def _bad(description: str) -> web.Response:
    return web.json_response(
        {"error": "Bad Request", "description": description, "statusCode": 400}, status=400)


class AggregatorServer:
    def __init__(self, rpc_url: str, weth: str, venues: Sequence[VenueRef], chain_id: int,
                 *, host: str = "127.0.0.1", port: int = 0, claim_bps: int = 0) -> None:
        self.w3 = async_web3(rpc_url)
        # tests: quote this many bps above the route's real output (an aggregator that says
        # it beats the direct venues); the calldata is the honest route either way
        self.claim_bps = claim_bps
        self.swaps: list[dict[str, str]] = []
        self.weth = to_checksum_address(weth)
        self.venues = list(venues)
        self.chain_id = chain_id
        self.host = host
        self.port = port
        self.requests = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/swap/v6.0/{chain}/quote", self._quote)
        app.router.add_get("/swap/v6.0/{chain}/swap", self._swap)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]  # a TCP site's server has sockets
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.w3.provider.disconnect()

    async def __aenter__(self) -> AggregatorServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _claimed(self, amount: int) -> int:
        return amount * (BPS + self.claim_bps) // BPS

    def _token(self, value: str) -> str:
        if value.lower() == NATIVE.lower():
            return self.weth
        if not is_address(value):
            raise ValueError(f"not an address: {value!r}")
        return to_checksum_address(value)

    async def _best(self, request: web.Request) -> tuple[dict[str, str], Any]:
        self.requests += 1
        q = request.query
        if request.match_info["chain"] != str(self.chain_id):
            raise ValueError(f"unsupported chain {request.match_info['chain']}")
        src, dst = self._token(q["src"]), self._token(q["dst"])
        amount = int(q["amount"])
        if amount <= 0:
            raise ValueError("amount must be positive")
        best = await best_v2_quote(self.w3, self.venues, src, dst, amount)
        if best is None:
            raise ValueError("insufficient liquidity")
        return dict(q), best

    async def _quote(self, request: web.Request) -> web.Response:
        try:
            _q, best = await self._best(request)
        except (ValueError, KeyError) as exc:
            return _bad(str(exc))
        return web.json_response({"dstAmount": str(self._claimed(best.expected_out))})

    async def _swap(self, request: web.Request) -> web.Response:
        try:
            q, best = await self._best(request)
            sender = to_checksum_address(q["from"])
            slippage_bps = int(Decimal(q["slippage"]) * 100)
            if not 0 <= slippage_bps <= 5000:
                raise ValueError("slippage must be between 0 and 50 percent")
        except (ValueError, KeyError, InvalidOperation) as exc:
            return _bad(str(exc))
        self.swaps.append(q)
        minimum = best.expected_out * (BPS - slippage_bps) // BPS
        deadline = await chain_deadline(self.w3, 300)
        path = [best.token_in, best.token_out]
        value = 0
        if q["src"].lower() == NATIVE.lower():
            data = calls.swap_exact_eth_for_tokens(minimum, path, sender, deadline,
                                                   fee_on_transfer=True)
            value = best.amount_in
        elif q["dst"].lower() == NATIVE.lower():
            data = calls.swap_exact_tokens_for_eth(best.amount_in, minimum, path, sender,
                                                   deadline, fee_on_transfer=True)
        else:
            return _bad("only swaps from or to the native token are routed by this server")
        gas_price = await self.w3.eth.gas_price
        return web.json_response({
            "dstAmount": str(self._claimed(best.expected_out)),
            "tx": {"from": sender, "to": best.venue.router, "data": "0x" + data.hex(),
                   "value": str(value), "gas": 300_000, "gasPrice": str(gas_price)},
        })
