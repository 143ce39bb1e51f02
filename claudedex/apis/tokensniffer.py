"""TokenSniffer token audit: ``GET /api/v2/tokens/{chain_id}/{address}``.

Query: ``apikey``, ``include_metrics=true``, ``include_tests=true``, ``include_similar=false``,
``block_until_ready=false``. The documented answer is ``{"status": "ready" | "pending", ...}``
with ``score`` (0-100, higher is safer), ``is_flagged``, ``exploits`` (a list), ``tests``
(``{"id", "description", "result": bool}``, ``result`` true when the token passes) and, for
tradable tokens, ``swap_simulation`` (``is_sellable``, ``buy_fee``/``sell_fee`` in percent).

Why advisory like GoPlus and honeypot.is: TokenSniffer scores the token elsewhere, later,
with its own thresholds; its opinion is shown, our own checks decide. A ``pending`` answer
(TokenSniffer is still auditing) is not cached, so the next assessment asks again. The API
key travels in the query string and is never logged (the HTTP client logs paths only).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from claudedex.apis.cache import JsonCache, TwoLevelCache
from claudedex.apis.http import ApiError, JsonHttpClient

TEXT_MAX = 120  # characters of a test description kept (untrusted text)


@dataclass(frozen=True, slots=True)
class TokenSnifferReport:
    """``ready`` False while TokenSniffer is still auditing (then every other field is empty)."""

    token: str
    ready: bool
    score: int | None
    flagged: bool
    exploits: tuple[str, ...]
    failed_tests: tuple[str, ...]  # ids of the tests the token failed
    sellable: bool | None
    buy_fee_pct: Decimal | None
    sell_fee_pct: Decimal | None


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _text(value: Any) -> str:
    return "".join(ch for ch in str(value) if ch.isprintable())[:TEXT_MAX]


def parse_token(body: Any, token: str) -> TokenSnifferReport:
    """The report in ``body``; :class:`ApiError` for an error answer or a foreign shape."""
    if not isinstance(body, dict):
        raise ApiError("tokensniffer: unexpected response shape")
    status = body.get("status")
    if status == "pending":
        return TokenSnifferReport(token.lower(), False, None, False, (), (), None, None, None)
    if status != "ready":
        raise ApiError(f"tokensniffer: answer status {_text(status)!r}: "
                       f"{_text(body.get('message', ''))}")
    score = body.get("score")
    tests = body.get("tests") or []
    failed = tuple(_text(t.get("id", "")) for t in tests
                   if isinstance(t, dict) and t.get("result") is False)
    exploits = tuple(_text(e.get("name", e) if isinstance(e, dict) else e)
                     for e in body.get("exploits") or [])
    swap = body.get("swap_simulation") or {}
    sellable = swap.get("is_sellable") if isinstance(swap, dict) else None
    return TokenSnifferReport(
        token=token.lower(), ready=True,
        score=int(score) if isinstance(score, int | float) and not isinstance(score, bool)
        else None,
        flagged=body.get("is_flagged") is True, exploits=exploits, failed_tests=failed,
        sellable=sellable if isinstance(sellable, bool) else None,
        buy_fee_pct=_dec(swap.get("buy_fee")) if isinstance(swap, dict) else None,
        sell_fee_pct=_dec(swap.get("sell_fee")) if isinstance(swap, dict) else None)


class TokenSnifferClient:
    """Asks TokenSniffer about one token; ``ready`` answers are cached ``ttl_s`` seconds."""

    def __init__(self, http: JsonHttpClient, api_key: str, cache: JsonCache | None = None,
                 ttl_s: int = 600) -> None:
        self.http = http
        self._api_key = api_key
        self.cache = cache if cache is not None else TwoLevelCache()
        self.ttl_s = ttl_s

    async def token(self, chain_id: int, token: str) -> TokenSnifferReport:
        """The audit of ``token``; raises :class:`ApiError` (down, breaker open, error)."""
        key = f"tokensniffer:{chain_id}:{token.lower()}"
        body = await self.cache.get(key)
        if body is not None:
            return parse_token(body, token)
        body = await self.http.get_json(
            f"/api/v2/tokens/{chain_id}/{token.lower()}",
            {"apikey": self._api_key, "include_metrics": "true", "include_tests": "true",
             "include_similar": "false", "block_until_ready": "false"})
        report = parse_token(body, token)
        if report.ready:
            await self.cache.set(key, body, self.ttl_s)
        return report
