"""JSON over HTTP with a timeout, bounded retries with backoff, and a circuit breaker.

Why retries only on timeouts, connection errors, 429 and 5xx: a 4xx other than 429 will not
get better by asking again. Responses are parsed as JSON and handed back untouched; each
client turns them into typed values.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import structlog
from aiolimiter import AsyncLimiter

from claudedex.apis.breaker import CircuitBreaker
from claudedex.errors import ClaudeDexError
from claudedex.rpc.lazy_errors import client_error

if TYPE_CHECKING:
    import aiohttp

log = structlog.get_logger(__name__)


class ApiError(ClaudeDexError):
    """An external API failed, timed out, answered garbage, or its breaker is open."""


class ApiUnavailable(ApiError):
    """The circuit breaker is open: the call was not attempted."""


class JsonHttpClient:
    """GET JSON from one base URL; owns its aiohttp session (``close()`` when done)."""

    def __init__(
        self,
        base_url: str,
        *,
        name: str = "api",
        timeout_s: float = 5.0,
        retries: int = 2,
        backoff_s: float = 0.2,
        breaker: CircuitBreaker | None = None,
        headers: dict[str, str] | None = None,
        limiter: AsyncLimiter | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name
        import aiohttp  # here: every engine imports this module, a backtest needs no client

        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.retries = retries
        self.backoff_s = backoff_s
        self.breaker = breaker or CircuitBreaker(name)
        self.headers = headers or {}
        self.limiter = limiter  # client-side rate limit: every try takes one slot
        self._session: aiohttp.ClientSession | None = None

    async def _client(self) -> aiohttp.ClientSession:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout, headers=self.headers)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET ``base_url + path``; ApiError after the retries, ApiUnavailable if open."""
        if not self.breaker.allow():
            raise ApiUnavailable(f"{self.name}: circuit open, not calling {path}")
        url = self.base_url + path
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
            if self.limiter is not None:
                await self.limiter.acquire()
            try:
                session = await self._client()
                async with session.get(url, params=params) as resp:
                    if resp.status == 429 or resp.status >= 500:
                        last = f"HTTP {resp.status}"
                        continue
                    if resp.status >= 400:
                        self.breaker.success()  # the service is up; the request was bad
                        raise ApiError(f"{self.name}: HTTP {resp.status} for {path}")
                    data = await resp.json(content_type=None)
                    self.breaker.success()
                    return data
            except (client_error(), TimeoutError, ValueError) as exc:
                last = f"{type(exc).__name__}: {exc}"
        self.breaker.failure()
        log.warning("api.failed", api=self.name, path=path, error=last,
                    breaker=self.breaker.state.value)
        raise ApiError(f"{self.name}: {path} failed after {self.retries + 1} tries: {last}")
