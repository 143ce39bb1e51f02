"""Per-token request limits (a leaky bucket per token id, ``aiolimiter``).

Why per token and refusing rather than queueing: a flood from one client must not slow
the others, and a client told 429 with ``Retry-After`` backs off; a queued request would
hold a connection and still run late.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from aiolimiter import AsyncLimiter

MAX_TRACKED = 10_000  # token ids remembered; the least recently seen is forgotten first


class TokenLimits:
    """``take(jti)``: None when the request may run, else seconds to wait (Retry-After)."""

    def __init__(self, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._buckets: OrderedDict[str, AsyncLimiter] = OrderedDict()

    def retry_after_s(self) -> int:
        """Whole seconds until one request's worth of the bucket has drained."""
        return max(1, math.ceil(60 / self.per_minute))

    async def take(self, jti: str) -> int | None:
        bucket = self._buckets.get(jti)
        if bucket is None:
            bucket = self._buckets[jti] = AsyncLimiter(self.per_minute, 60)
            while len(self._buckets) > MAX_TRACKED:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(jti)
        if not bucket.has_capacity():
            return self.retry_after_s()
        await bucket.acquire()  # capacity is there: returns at once
        return None
