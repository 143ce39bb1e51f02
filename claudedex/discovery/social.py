"""Social sentiment: VADER scores over a pluggable feed of posts about tokens.

Why pluggable: live deployments read whichever social API they pay for; the devnet serves
its own feed (``GET /posts?since=&limit=`` -> ``{"posts": [...], "next": id}``). Post texts
are untrusted and only ever scored, never displayed as markup. Scores are analytics floats.
A token whose recent posts turn clearly negative ("can't sell", "rug") raises an alert.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from claudedex.apis.http import ApiError, JsonHttpClient
from claudedex.bus import EventBus
from claudedex.domain import Finding, Severity
from claudedex.events import AlertRaised

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Post:
    id: int
    token: str
    author: str
    text: str


class PostFeed(Protocol):
    async def fetch(self, since: int) -> tuple[list[Post], int]: ...


class HttpPostFeed:
    """The devnet feed shape over a JsonHttpClient (breaker, timeouts, retries)."""

    def __init__(self, http: JsonHttpClient, limit: int = 500) -> None:
        self.http = http
        self.limit = limit

    async def fetch(self, since: int) -> tuple[list[Post], int]:
        body: Any = await self.http.get_json("/posts", {"since": str(since),
                                                        "limit": str(self.limit)})
        posts = [Post(int(p["id"]), str(p.get("token_address", "")).lower(),
                      str(p.get("author", "")), str(p.get("text", "")))
                 for p in body.get("posts", []) if isinstance(p, dict) and "id" in p]
        return posts, int(body.get("next", since))


@dataclass(frozen=True, slots=True)
class TokenSentiment:
    posts: int
    mean_compound: float
    negative_share: float


class SocialSentiment:
    """Scores posts as they arrive; keeps the last ``window`` scores per token."""

    def __init__(self, bus: EventBus, feed: PostFeed, *, window: int = 50,
                 poll_interval_s: float = 2.0, alert_negative_share: float = 0.5,
                 min_posts: int = 3) -> None:
        self.bus = bus
        self.feed = feed
        self.window = window
        self.poll_interval_s = poll_interval_s
        self.alert_negative_share = alert_negative_share
        self.min_posts = min_posts
        self._vader = SentimentIntensityAnalyzer()
        self._scores: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=self.window))
        self._alerted: set[str] = set()
        self._since = 0

    def score(self, text: str) -> float:
        return float(self._vader.polarity_scores(text)["compound"])

    def sentiment(self, token: str) -> TokenSentiment:
        scores = list(self._scores.get(token.lower(), ()))
        if not scores:
            return TokenSentiment(0, 0.0, 0.0)
        return TokenSentiment(len(scores), sum(scores) / len(scores),
                              sum(1 for s in scores if s <= -0.05) / len(scores))

    def findings(self, token: str) -> tuple[Finding, ...]:
        s = self.sentiment(token)
        if s.posts < self.min_posts:
            return ()
        evidence = {"posts": str(s.posts), "mean_compound": f"{s.mean_compound:.3f}",
                    "negative_share": f"{s.negative_share:.2f}"}
        if s.negative_share >= self.alert_negative_share:
            return (Finding("SOCIAL_NEGATIVE", Severity.MEDIUM,
                            f"{s.negative_share:.0%} of recent posts are negative", evidence),)
        return (Finding("SOCIAL", Severity.INFO, f"sentiment {s.mean_compound:+.2f}", evidence),)

    async def ingest(self, posts: list[Post]) -> None:
        touched = set()
        for p in posts:
            if p.token:
                self._scores[p.token].append(self.score(p.text))
                touched.add(p.token)
        for token in touched:
            s = self.sentiment(token)
            if (s.posts >= self.min_posts and s.negative_share >= self.alert_negative_share
                    and token not in self._alerted):
                self._alerted.add(token)
                await self.bus.publish(AlertRaised(
                    level="warning", source="social",
                    message=f"{token}: {s.negative_share:.0%} of {s.posts} recent posts negative"))

    async def run(self) -> None:
        while True:
            try:
                posts, self._since = await self.feed.fetch(self._since)
                await self.ingest(posts)
            except ApiError as exc:
                log.warning("social.feed_failed", error=str(exc))
            await asyncio.sleep(self.poll_interval_s)
