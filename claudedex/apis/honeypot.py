"""honeypot.is: ``GET /v2/IsHoneypot?address=&chainID=``.

The documented answer carries ``honeypotResult.isHoneypot``, ``simulationSuccess``,
``simulationResult.{buyTax,sellTax,transferTax}`` (percent numbers) and ``summary.risk``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from claudedex.apis.cache import JsonCache, TwoLevelCache
from claudedex.apis.http import ApiError, JsonHttpClient


@dataclass(frozen=True, slots=True)
class HoneypotReport:
    token: str
    simulated: bool
    is_honeypot: bool | None
    reason: str
    buy_tax_pct: Decimal | None
    sell_tax_pct: Decimal | None
    risk: str


def _pct(value: Any) -> Decimal | None:
    return None if value is None or isinstance(value, bool) else Decimal(str(value))


def parse_is_honeypot(body: Any, token: str) -> HoneypotReport:
    if not isinstance(body, dict):
        raise ApiError("honeypot.is: unexpected response shape")
    hp = body.get("honeypotResult") or {}
    sim = body.get("simulationResult") or {}
    summary = body.get("summary") or {}
    flag = hp.get("isHoneypot")
    return HoneypotReport(
        token=token.lower(), simulated=bool(body.get("simulationSuccess", False)),
        is_honeypot=bool(flag) if flag is not None else None,
        reason=str(hp.get("honeypotReason", "")), buy_tax_pct=_pct(sim.get("buyTax")),
        sell_tax_pct=_pct(sim.get("sellTax")), risk=str(summary.get("risk", "")))


class HoneypotIsClient:
    def __init__(self, http: JsonHttpClient, cache: JsonCache | None = None,
                 ttl_s: int = 300) -> None:
        self.http = http
        self.cache = cache if cache is not None else TwoLevelCache()
        self.ttl_s = ttl_s

    async def is_honeypot(self, chain_id: int, token: str) -> HoneypotReport:
        key = f"honeypot:{chain_id}:{token.lower()}"
        body = await self.cache.get(key)
        if body is None:
            body = await self.http.get_json("/v2/IsHoneypot",
                                            {"address": token, "chainID": str(chain_id)})
            await self.cache.set(key, body, self.ttl_s)
        return parse_is_honeypot(body, token)
