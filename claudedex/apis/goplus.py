"""GoPlus token security: ``GET /api/v1/token_security/{chain_id}?contract_addresses=``.

The documented answer is ``{"code": 1, "message": "OK", "result": {addr: {...}}}`` with every
flag a string ("0"/"1") and taxes as decimal fractions ("0.05"). Cached by token.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from claudedex.apis.cache import JsonCache, TwoLevelCache
from claudedex.apis.http import ApiError, JsonHttpClient

FLAGS = ("is_honeypot", "is_mintable", "is_proxy", "hidden_owner", "can_take_back_ownership",
         "selfdestruct", "transfer_pausable", "is_blacklisted", "cannot_sell_all",
         "slippage_modifiable", "owner_change_balance", "cannot_buy", "trading_cooldown")


@dataclass(frozen=True, slots=True)
class GoPlusReport:
    token: str
    flags: frozenset[str]  # names from FLAGS that are "1"
    buy_tax: Decimal | None
    sell_tax: Decimal | None
    owner: str
    creator: str


def _frac(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def parse_token_security(body: Any, token: str) -> GoPlusReport | None:
    """The report for ``token``; None when GoPlus does not know it yet."""
    if not isinstance(body, dict) or body.get("code") != 1:
        message = body.get("message") if isinstance(body, dict) else body
        raise ApiError(f"goplus: error answer {message!r}")
    result = body.get("result") or {}
    raw = result.get(token.lower()) or result.get(token)
    if not isinstance(raw, dict):
        return None
    flags = frozenset(f for f in FLAGS if str(raw.get(f, "0")) == "1")
    return GoPlusReport(token.lower(), flags, _frac(raw.get("buy_tax")),
                        _frac(raw.get("sell_tax")), str(raw.get("owner_address", "")),
                        str(raw.get("creator_address", "")))


class GoPlusClient:
    def __init__(self, http: JsonHttpClient, cache: JsonCache | None = None,
                 ttl_s: int = 300) -> None:
        self.http = http
        self.cache = cache if cache is not None else TwoLevelCache()
        self.ttl_s = ttl_s

    async def token_security(self, chain_id: int, token: str) -> GoPlusReport | None:
        key = f"goplus:{chain_id}:{token.lower()}"
        body = await self.cache.get(key)
        if body is not None:
            return parse_token_security(body, token)
        body = await self.http.get_json(f"/api/v1/token_security/{chain_id}",
                                        {"contract_addresses": token.lower()})
        report = parse_token_security(body, token)  # an error answer raises: never cached
        await self.cache.set(key, body, self.ttl_s)
        return report
