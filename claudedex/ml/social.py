"""Social posts for the scorer, stamped with the wall time they were first seen.

Why stamp on arrival: a post counts toward a token's features only if it existed at the
cut-off block's timestamp; feeds do not all carry a creation time, so the scorer polls the
feed every cycle and records when each post reached us (a post seen late counts late,
never early: no look-ahead).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import structlog

from claudedex.errors import ClaudeDexError

log = structlog.get_logger(__name__)


class SocialSource(Protocol):
    async def refresh(self) -> None: ...

    async def posts(self, token: str) -> Sequence[dict[str, Any]]: ...


class PostFeedLike(Protocol):
    """``claudedex.discovery.social.PostFeed``: ``fetch(since) -> (posts, next_since)``."""

    async def fetch(self, since: int) -> tuple[list[Any], int]: ...


class FeedSocial:
    """Buffers a post feed per token: ``{"ts", "text", "likes"}`` dicts for ``observe``."""

    def __init__(self, feed: PostFeedLike, clock: Callable[[], float] = time.time,
                 keep_per_token: int = 200) -> None:
        self.feed = feed
        self.clock = clock
        self.keep = keep_per_token
        self._since = 0
        self._by_token: dict[str, list[dict[str, Any]]] = defaultdict(list)

    async def refresh(self) -> None:
        try:
            posts, self._since = await self.feed.fetch(self._since)
        except ClaudeDexError as exc:
            log.warning("ml.social_unavailable", error=str(exc)[:200])
            return
        now = self.clock()
        for p in posts:
            token = str(getattr(p, "token", "")).lower()
            if token:
                bucket = self._by_token[token]
                bucket.append({"ts": now, "text": str(getattr(p, "text", "")),
                               "likes": int(getattr(p, "likes", 0) or 0)})
                del bucket[: -self.keep]

    async def posts(self, token: str) -> Sequence[dict[str, Any]]:
        return list(self._by_token.get(token.lower(), ()))
