"""Client for a DEX aggregator speaking the 1inch Swap API v6 JSON shape.

Why the 1inch shape: it is the de-facto standard (quote → ``dstAmount``; swap → ``tx``
with ``to``/``data``/``value``/``gas``), so a real aggregator and the local test server are
interchangeable. Amounts travel as decimal strings; slippage as a percent string built from
integer bps, so no float touches money.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from claudedex.errors import ChainError

if TYPE_CHECKING:  # imported when a client is made: execution loads this module always
    import aiohttp

NATIVE = "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE"


class AggregatorError(ChainError):
    """The aggregator refused the request or answered something unusable."""


@dataclass(frozen=True, slots=True)
class AggregatorSwap:
    dst_amount: int
    to: str
    data: str
    value: int
    gas: int


def percent(bps: int) -> str:
    """Integer bps as the API's percent string (75 → "0.75")."""
    return str((Decimal(bps) / 100).normalize())


class AggregatorClient:
    def __init__(self, base_url: str, chain_id: int, *, api_key: str = "",
                 timeout_s: float = 5.0) -> None:
        self.base = f"{base_url.rstrip('/')}/swap/v6.0/{chain_id}"
        import aiohttp

        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.get(f"{self.base}/{path}", params=params,
                                         headers=self._headers, timeout=self._timeout) as resp:
                payload = await resp.json(content_type=None)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AggregatorError(f"aggregator {path} failed: {exc!r}") from exc
        if status != 200 or not isinstance(payload, dict):
            detail = payload.get("description", payload) if isinstance(payload, dict) else payload
            raise AggregatorError(f"aggregator {path} answered {status}: {detail}")
        return payload

    async def quote(self, src: str, dst: str, amount: int) -> int:
        payload = await self._get("quote", {"src": src, "dst": dst, "amount": str(amount)})
        try:
            return int(payload["dstAmount"])
        except (KeyError, ValueError) as exc:
            raise AggregatorError(f"aggregator quote without dstAmount: {payload}") from exc

    async def swap(self, src: str, dst: str, amount: int, sender: str,
                   slippage_bps: int) -> AggregatorSwap:
        payload = await self._get("swap", {
            "src": src, "dst": dst, "amount": str(amount), "from": sender, "origin": sender,
            "slippage": percent(slippage_bps), "disableEstimate": "true",
        })
        try:
            tx = payload["tx"]
            return AggregatorSwap(int(payload["dstAmount"]), str(tx["to"]), str(tx["data"]),
                                  int(tx.get("value", 0)), int(tx.get("gas", 0)))
        except (KeyError, ValueError, TypeError) as exc:
            raise AggregatorError(f"aggregator swap answer malformed: {payload}") from exc
