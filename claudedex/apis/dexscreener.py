"""DexScreener: pairs, token pairs and token profiles, in their documented JSON shapes.

Endpoints (https://docs.dexscreener.com/api/reference):
``GET /latest/dex/pairs/{chainId}/{pairAddresses}`` and ``GET /latest/dex/tokens/{addrs}``
answer ``{"schemaVersion": "1.0.0", "pairs": [Pair, ...]}``; ``GET /token-profiles/latest/v1``
answers a list of profiles. Prices arrive as strings and stay exact (Decimal); names, symbols
and descriptions are untrusted text and are kept as plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from claudedex.apis.http import ApiError, JsonHttpClient


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True, slots=True)
class DexToken:
    address: str
    name: str
    symbol: str


@dataclass(frozen=True, slots=True)
class DexPair:
    """One DexScreener pair (the fields ClaudeDex reads)."""

    chain_id: str
    dex_id: str
    pair_address: str
    base: DexToken
    quote: DexToken
    price_native: Decimal | None
    price_usd: Decimal | None
    liquidity_usd: Decimal | None
    volume_h24: Decimal | None
    buys_h24: int
    sells_h24: int
    fdv: Decimal | None
    pair_created_at_ms: int | None
    url: str = ""


@dataclass(frozen=True, slots=True)
class TokenProfile:
    chain_id: str
    token_address: str
    url: str
    description: str
    links: tuple[tuple[str, str], ...]  # (type or label, url)


def _token(raw: Any) -> DexToken:
    raw = raw if isinstance(raw, dict) else {}
    return DexToken(str(raw.get("address", "")).lower(), str(raw.get("name", "")),
                    str(raw.get("symbol", "")))


def parse_pair(raw: dict[str, Any]) -> DexPair:
    txns = raw.get("txns") or {}
    h24 = txns.get("h24") or {}
    created = raw.get("pairCreatedAt")
    return DexPair(
        chain_id=str(raw.get("chainId", "")), dex_id=str(raw.get("dexId", "")),
        pair_address=str(raw.get("pairAddress", "")).lower(),
        base=_token(raw.get("baseToken")), quote=_token(raw.get("quoteToken")),
        price_native=_dec(raw.get("priceNative")), price_usd=_dec(raw.get("priceUsd")),
        liquidity_usd=_dec((raw.get("liquidity") or {}).get("usd")),
        volume_h24=_dec((raw.get("volume") or {}).get("h24")),
        buys_h24=int(h24.get("buys", 0) or 0), sells_h24=int(h24.get("sells", 0) or 0),
        fdv=_dec(raw.get("fdv")),
        pair_created_at_ms=int(created) if isinstance(created, int | float) else None,
        url=str(raw.get("url", "")))


def parse_pairs(body: Any) -> list[DexPair]:
    if isinstance(body, list):  # /tokens/v1/{chain}/{addrs} answers a bare list
        items = body
    elif isinstance(body, dict):
        items = body.get("pairs") or ([body["pair"]] if body.get("pair") else [])
    else:
        raise ApiError("dexscreener: unexpected response shape")
    return [parse_pair(p) for p in items if isinstance(p, dict)]


def parse_profiles(body: Any) -> list[TokenProfile]:
    if not isinstance(body, list):
        raise ApiError("dexscreener: token profiles must be a list")
    out = []
    for p in body:
        if not isinstance(p, dict):
            continue
        links = tuple((str(lk.get("type") or lk.get("label") or ""), str(lk.get("url", "")))
                      for lk in p.get("links") or [] if isinstance(lk, dict))
        out.append(TokenProfile(str(p.get("chainId", "")), str(p.get("tokenAddress", "")).lower(),
                                str(p.get("url", "")), str(p.get("description", "")), links))
    return out


class DexScreenerClient:
    """Typed access to the three endpoints ClaudeDex uses."""

    def __init__(self, http: JsonHttpClient) -> None:
        self.http = http

    async def pairs(self, chain_id: str, pair_addresses: list[str]) -> list[DexPair]:
        body = await self.http.get_json(f"/latest/dex/pairs/{chain_id}/{','.join(pair_addresses)}")
        return parse_pairs(body)

    async def token_pairs(self, token_addresses: list[str]) -> list[DexPair]:
        body = await self.http.get_json(f"/latest/dex/tokens/{','.join(token_addresses)}")
        return parse_pairs(body)

    async def latest_profiles(self) -> list[TokenProfile]:
        return parse_profiles(await self.http.get_json("/token-profiles/latest/v1"))
