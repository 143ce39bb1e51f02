"""One local aiohttp server for the devnet's off-chain APIs.

Serves DexScreener's documented endpoints for the market's pairs and the social feed:
  GET /latest/dex/pairs/{chainId}/{pairAddresses}   (comma-separated, up to 30)
  GET /latest/dex/tokens/{tokenAddresses}           (comma-separated, up to 30)
  GET /token-profiles/latest/v1
  GET /posts?since=<id>&limit=<n>                   ({"posts": [...], "next": id})
Only ``devnet`` and ``31337`` are known chain ids; anything else returns no pairs, like the
real API does for a chain without those pairs.
"""

from __future__ import annotations

from aiohttp import web

from claudedex.devnet.pricebook import DEX_CHAIN_ID, PriceBook
from claudedex.devnet.social import SocialFeed

MAX_ADDRESSES = 30
BOOK_KEY = web.AppKey("book", PriceBook)
FEED_KEY = web.AppKey("feed", SocialFeed)


def _addresses(raw: str) -> list[str]:
    return [a.strip() for a in raw.split(",") if a.strip()][:MAX_ADDRESSES]


async def _pairs(request: web.Request) -> web.Response:
    chain = request.match_info["chain"]
    book = request.app[BOOK_KEY]
    pairs = book.by_pairs(_addresses(request.match_info["addresses"]))
    if chain not in (DEX_CHAIN_ID, "31337"):
        pairs = []
    return web.json_response({"schemaVersion": "1.0.0", "pairs": pairs or None, "pair": None})


async def _tokens(request: web.Request) -> web.Response:
    book = request.app[BOOK_KEY]
    pairs = book.by_tokens(_addresses(request.match_info["addresses"]))
    return web.json_response({"schemaVersion": "1.0.0", "pairs": pairs})


async def _profiles(request: web.Request) -> web.Response:
    return web.json_response(request.app[BOOK_KEY].profiles())


async def _posts(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", "0"))
        limit = min(int(request.query.get("limit", "500")), 500)
    except ValueError:
        raise web.HTTPBadRequest(text="since and limit must be integers") from None
    posts = request.app[FEED_KEY].since(max(since, 0), max(limit, 0))
    return web.json_response({"posts": posts, "next": posts[-1]["id"] if posts else since})


def make_app(book: PriceBook, feed: SocialFeed) -> web.Application:
    app = web.Application()
    app[BOOK_KEY] = book
    app[FEED_KEY] = feed
    app.router.add_get("/latest/dex/pairs/{chain}/{addresses}", _pairs)
    app.router.add_get("/latest/dex/tokens/{addresses}", _tokens)
    app.router.add_get("/token-profiles/latest/v1", _profiles)
    app.router.add_get("/posts", _posts)
    return app


async def start_http(
    book: PriceBook, feed: SocialFeed, host: str = "127.0.0.1", port: int = 0
) -> tuple[web.AppRunner, str]:
    """Start the server; returns the runner (``await runner.cleanup()``) and its base URL."""
    runner = web.AppRunner(make_app(book, feed), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server  # aiohttp exposes the bound socket only here
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    url = f"http://{host}:{bound}"
    book.base_url = url
    return runner, url
