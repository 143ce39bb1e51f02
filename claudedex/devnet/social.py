"""A local social feed: posts the market makes about its own tokens.

Why: the discovery/sentiment code reads social posts; on devnet it gets a feed whose texts
come from the same seeded RNG as the market (hype for scams and honest tokens alike, so the
feed alone cannot tell them apart). Token names are attacker-chosen text and stay text.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

HYPE = (
    "{sym} just launched, LP locked, dev doxxed. Next 100x!",
    "Aping {sym} ({name}) early, chart looks insane",
    "{sym} community is growing fast, don't miss it",
    "Stealth launch: {name} ${sym} - renounced, no tax",
    "{sym} whales are loading, send it",
)
NEUTRAL = (
    "New pair {sym}/WETH on {venue}. DYOR.",
    "Anyone checked the contract of {sym}?",
    "{name} ({sym}) trading now on {venue}",
)
WARN = (
    "Careful with {sym}, I can't sell",
    "{sym} dev pulled liquidity? price went to zero",
    "{sym} tax changed after launch, watch out",
)
AUTHORS = ("degen_ape", "chartwizard", "0xmoon", "lp_locker", "alpha_leaks", "rugwatch")


@dataclass(frozen=True)
class Post:
    id: int
    ts: float
    author: str
    token_address: str
    symbol: str
    text: str
    likes: int
    reposts: int


class SocialFeed:
    """In-memory, append-only list of posts; ids increase from 1."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._posts: list[Post] = []
        self._lock = threading.Lock()

    def _add(self, token: str, symbol: str, text: str) -> Post:
        with self._lock:
            post = Post(
                id=len(self._posts) + 1,
                ts=round(time.time(), 3),
                author=self._rng.choice(AUTHORS),
                token_address=token,
                symbol=symbol,
                text=text,
                likes=self._rng.randint(0, 500),
                reposts=self._rng.randint(0, 120),
            )
            self._posts.append(post)
            return post

    def on_launch(self, token: str, name: str, symbol: str, venue: str) -> list[Post]:
        """1-3 posts at launch: hype or neutral, whatever the family."""
        posts = []
        for _ in range(self._rng.randint(1, 3)):
            template = self._rng.choice(HYPE + NEUTRAL)
            text = template.format(sym=symbol, name=name, venue=venue)
            posts.append(self._add(token, symbol, text))
        return posts

    def on_scam(self, token: str, symbol: str) -> Post:
        """A complaint after a scam fired (real feeds lag behind the chain, too)."""
        text = self._rng.choice(WARN).format(sym=symbol, name=symbol, venue="")
        return self._add(token, symbol, text)

    def since(self, after_id: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(p) for p in self._posts[after_id : after_id + limit]]

    def __len__(self) -> int:
        return len(self._posts)
