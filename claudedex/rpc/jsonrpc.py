"""A minimal JSON-RPC 2.0 client over aiohttp, shared by the relay client and servers.

Why not web3's provider: the relay speaks Flashbots methods web3 does not know, and the
relay server forwards raw requests upstream unchanged.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from claudedex.errors import ChainError, RpcError

if TYPE_CHECKING:  # at call time: execution (a backtest's too) imports this module
    import aiohttp

_ids = itertools.count(1)


async def rpc_call(
    session: aiohttp.ClientSession, url: str, method: str, params: list[Any],
    *, sign: Callable[[bytes], dict[str, str]] | None = None, timeout_s: float = 5.0,
) -> Any:
    """POST one request; returns ``result`` or raises RpcError / ChainError.

    ``sign`` gets the exact body bytes and returns extra headers (Flashbots signature).
    """
    import aiohttp

    request = {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params}
    body = json.dumps(request, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if sign is not None:
        headers.update(sign(body))
    try:
        async with session.post(url, data=body, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
            payload = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ChainError(f"{method} to {url} failed: {exc!r}") from exc
    if not isinstance(payload, dict):
        raise ChainError(f"{method} to {url}: not a JSON-RPC response")
    if payload.get("error"):
        err = payload["error"]
        raise RpcError.answered(method, int(err.get("code", -32000)),
                                str(err.get("message", err)))
    return payload.get("result")
