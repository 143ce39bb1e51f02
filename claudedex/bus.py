"""In-process event bus with a delivery policy per topic.

Why three policies: price ticks arrive in bursts and only the latest matters (``coalesce``);
log-like events are useful but expendable under load (``bounded``, drops counted); trade
proposals, decisions, orders and fills must never be lost, so their publisher waits for a
slow subscriber instead (``never_drop``). Each subscriber has its own mailbox, so a slow
subscriber never delays the others on coalesce or bounded topics.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from enum import StrEnum

from claudedex.events import Event


class Policy(StrEnum):
    COALESCE = "coalesce"
    BOUNDED = "bounded"
    NEVER_DROP = "never_drop"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    policy: Policy
    capacity: int = 1024


DEFAULT_TOPICS: dict[str, TopicSpec] = {
    "chain.block": TopicSpec(Policy.COALESCE),
    "market.price": TopicSpec(Policy.COALESCE),
    "portfolio.position": TopicSpec(Policy.COALESCE),
    "portfolio.equity": TopicSpec(Policy.COALESCE),
    "trade.proposal": TopicSpec(Policy.NEVER_DROP, 256),
    "trade.decision": TopicSpec(Policy.NEVER_DROP, 256),
    "trade.order": TopicSpec(Policy.NEVER_DROP, 256),
    "trade.fill": TopicSpec(Policy.NEVER_DROP, 256),
    "trade.fill_rolled_back": TopicSpec(Policy.NEVER_DROP, 256),
    "engine.halt": TopicSpec(Policy.NEVER_DROP, 64),
    "discovery.warning": TopicSpec(Policy.NEVER_DROP, 256),
    "discovery.pair": TopicSpec(Policy.NEVER_DROP, 1024),
    "safety.report": TopicSpec(Policy.NEVER_DROP, 1024),
}
FALLBACK = TopicSpec(Policy.BOUNDED, 4096)
ALL = "*"


class Subscription:
    """One subscriber's mailbox: arrival order is kept across the three policies."""

    __slots__ = (
        "name", "topics", "_bus", "_strict", "_loose", "_coalesced", "_seq", "_waiter",
        "_space", "dropped", "closed", "_n", "_n_loose",
    )

    def __init__(self, bus: EventBus, name: str, topics: frozenset[str]) -> None:
        self.name = name
        self.topics = topics
        self._bus = bus
        self._strict: deque[tuple[int, Event]] = deque()
        self._loose: dict[str, deque[tuple[int, Event]]] = {}
        self._coalesced: dict[tuple[str, str], tuple[int, Event]] = {}
        self._seq = 0
        self._waiter: asyncio.Future[None] | None = None
        self._space: asyncio.Event | None = None
        self.dropped = 0
        self.closed = False
        self._n = 0  # events held, all three kinds together (pending(), a fast empty check)
        self._n_loose = 0  # of which in the bounded boxes

    def matches(self, topic: str) -> bool:
        return ALL in self.topics or topic in self.topics

    def pending(self) -> int:
        return self._n

    # -- producer side (called by the bus) --------------------------------------------

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _offer(self, event: Event, spec: TopicSpec) -> bool:
        """Deliver without waiting; False only for a full never-drop mailbox."""
        self._seq += 1
        if spec.policy is Policy.COALESCE:
            ck = (event.topic, event.key())
            if self._coalesced.pop(ck, None) is None:
                self._n += 1
                if not self.closed:
                    self._bus.queued += 1
            self._coalesced[ck] = (self._seq, event)
        elif spec.policy is Policy.BOUNDED:
            box = self._loose.get(event.topic)
            if box is None:
                box = self._loose[event.topic] = deque()
            if len(box) >= spec.capacity:
                box.popleft()
                self.dropped += 1
            else:
                self._n += 1
                self._n_loose += 1
                if not self.closed:
                    self._bus.queued += 1
            box.append((self._seq, event))
        else:
            if len(self._strict) >= spec.capacity:
                self._seq -= 1
                return False
            self._strict.append((self._seq, event))
            self._n += 1
            if not self.closed:
                self._bus.queued += 1
        if self._waiter is not None:
            self._wake()
        return True

    async def _offer_wait(self, event: Event, spec: TopicSpec) -> None:
        while not self._offer(event, spec):
            if self.closed:
                return
            if self._space is None:
                self._space = asyncio.Event()
            self._space.clear()
            await self._space.wait()

    # -- consumer side ----------------------------------------------------------------

    def get_nowait(self) -> Event | None:
        if not self._n:
            return None
        best: deque[tuple[int, Event]] | None = None
        best_seq = -1
        if self._strict:
            best, best_seq = self._strict, self._strict[0][0]
        if self._n_loose:
            for box in self._loose.values():
                if box and (best is None or box[0][0] < best_seq):
                    best, best_seq = box, box[0][0]
        if self._coalesced:
            ck = next(iter(self._coalesced))
            seq, ev = self._coalesced[ck]
            if best is None or seq < best_seq:
                del self._coalesced[ck]
                self._n -= 1
                if not self.closed:
                    self._bus.queued -= 1
                return ev
        if best is None:
            return None
        _, event = best.popleft()
        self._n -= 1
        if best is not self._strict:
            self._n_loose -= 1
        if not self.closed:
            self._bus.queued -= 1
        if best is self._strict and self._space is not None:
            self._space.set()
        return event

    async def get(self) -> Event:
        while True:
            event = self.get_nowait()
            if event is not None:
                return event
            if self.closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self.get()
            except StopAsyncIteration:
                return

    def close(self) -> None:
        """Stop delivery; pending events can still be drained, then iteration ends."""
        if not self.closed:  # what it still holds no longer counts as the bus's work
            self._bus.queued -= self.pending()
        self.closed = True
        self._bus._remove(self)
        self._wake()
        if self._space is not None:
            self._space.set()


class EventBus:
    """Typed publish/subscribe inside one process and one event loop."""

    def __init__(self, topics: dict[str, TopicSpec] | None = None) -> None:
        self._specs = dict(DEFAULT_TOPICS if topics is None else topics)
        self._subs: list[Subscription] = []
        self._route: dict[str, list[Subscription]] = {}
        self.published = 0
        # events waiting in open mailboxes, all subscribers together: an O(1) "is anyone
        # behind" for a driver that steps the kernel (the backtest), kept by the mailboxes
        self.queued = 0

    def spec(self, topic: str) -> TopicSpec:
        return self._specs.get(topic, FALLBACK)

    def subscribe(self, name: str, topics: Iterable[str] = (ALL,)) -> Subscription:
        sub = Subscription(self, name, frozenset(topics))
        self._subs.append(sub)
        self._route.clear()
        return sub

    def _remove(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)
            self._route.clear()

    def _targets(self, topic: str) -> list[Subscription]:
        targets = self._route.get(topic)
        if targets is None:
            targets = self._route[topic] = [s for s in self._subs if s.matches(topic)]
        return targets

    async def publish(self, event: Event) -> None:
        """Deliver to every subscriber; waits only on a full never-drop mailbox."""
        self.published += 1
        spec = self._specs.get(event.topic, FALLBACK)
        for sub in self._targets(event.topic):
            if not sub._offer(event, spec):
                await sub._offer_wait(event, spec)

    def publish_nowait(self, event: Event) -> None:
        """For coalesce/bounded topics from sync code; refuses never-drop topics."""
        spec = self._specs.get(event.topic, FALLBACK)
        if spec.policy is Policy.NEVER_DROP:
            raise ValueError(f"topic {event.topic!r} is never_drop: use await publish()")
        self.published += 1
        for sub in self._targets(event.topic):
            sub._offer(event, spec)

    def subscribers(self, topic: str) -> list[str]:
        """Names of the open subscriptions ``topic`` reaches, in delivery order."""
        return [s.name for s in self._targets(topic)]

    def stats(self) -> dict[str, dict[str, int]]:
        return {s.name: {"pending": s.pending(), "dropped": s.dropped} for s in self._subs}
