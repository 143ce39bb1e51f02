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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
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
Handler = Callable[[Event], Awaitable[None]]


class HandlerFailed(Exception):
    """A pumped mailbox's handler raised (the cause); ``subscriber`` names the mailbox."""

    def __init__(self, subscriber: str, error: BaseException) -> None:
        super().__init__(f"{subscriber}: {type(error).__name__}: {error}")
        self.subscriber = subscriber
        self.error = error


class Subscription:
    """One subscriber's mailbox: arrival order is kept across the three policies."""

    __slots__ = (
        "name", "topics", "_bus", "_strict", "_loose", "_coalesced", "_seq", "_waiter",
        "_space", "dropped", "closed", "_n", "_n_loose", "handler", "pumped", "unbounded",
    )

    def __init__(self, bus: EventBus, name: str, topics: frozenset[str],
                 handler: Handler | None = None, unbounded: bool = False) -> None:
        self.name = name
        self.topics = topics
        # what the component does with each event (its run loop's body); a replay driver
        # may call it in its own task instead (EventBus.pump), the component's task parked
        self.handler = handler
        self.pumped = False
        # never-drop events past the topic's capacity are kept, not waited for: a mailbox
        # whose only reader is the task that may publish into it (a replay's driver)
        self.unbounded = unbounded
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
            if len(self._strict) >= spec.capacity and not self.unbounded:
                self._seq -= 1
                return False
            self._strict.append((self._seq, event))
            self._n += 1
            if not self.closed:
                self._bus.queued += 1
        if self._waiter is not None and not self.pumped:
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

    def subscribe(self, name: str, topics: Iterable[str] = (ALL,),
                  handler: Handler | None = None, *, unbounded: bool = False) -> Subscription:
        """A mailbox for ``topics``; ``handler`` is what its reader does with each event,
        named so that a replay can :meth:`pump` it. ``unbounded``: never-drop events are
        kept past the topic's capacity instead of making their publisher wait (for a
        reader that is itself a publisher, in one task: a replay's driver)."""
        sub = Subscription(self, name, frozenset(topics), handler, unbounded)
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

    def pump_mailboxes(self, names: Iterable[str]) -> list[str]:
        """Let :meth:`pump` hand these subscribers' events to their handlers.

        Only a mailbox with a handler whose reader is parked on it (waiting, nothing held)
        is taken; its reader is no longer woken, so each event is handled exactly once, by
        the pump; it keeps every event until then (``unbounded``). For a driver that steps
        the kernel in one task (the backtest): the hops between components then cost a
        call, not a task switch. Returns the names taken.
        """
        wanted, taken = set(names), []
        for sub in self._subs:
            if (sub.name in wanted and sub.handler is not None and sub._waiter is not None
                    and not sub._n and not sub.closed):
                # unbounded: the pump is the reader, so a publisher waiting for room would
                # wait for itself (the driver) or for the driver's next pump (an order's
                # task): events are kept until the next pump instead
                sub.pumped = sub.unbounded = True
                taken.append(sub.name)
        return taken

    async def pump(self) -> int:
        """Handle every event waiting in a pumped mailbox, in the caller's task, until all
        are empty: each mailbox is drained in turn, in subscription order (as its reader's
        task would take them, one after another, when woken). Returns how many were handled.

        Raises :class:`HandlerFailed` (its cause the handler's exception) when one raises.
        """
        handled, busy = 0, True
        while busy:
            busy = False
            for sub in tuple(self._subs):  # a handler may subscribe or close a mailbox
                if not sub.pumped or not sub._n:
                    continue
                busy = True
                handler = sub.handler
                assert handler is not None
                while (event := sub.get_nowait()) is not None:
                    try:
                        await handler(event)
                    except Exception as exc:  # noqa: BLE001 - any fault: named, then raised
                        raise HandlerFailed(sub.name, exc) from exc
                    handled += 1
        return handled

    def unpump(self) -> None:
        """Hand every pumped mailbox back to its reader, woken if events wait (a replay
        stopping: what a failed step left is then handled, or drained, as live)."""
        for sub in self._subs:
            if sub.pumped:
                sub.pumped = sub.unbounded = False
                if sub._n:
                    sub._wake()

    def pumped_pending(self) -> int:
        """Events waiting in the pumped mailboxes (what :meth:`pump` would handle now)."""
        return sum(s._n for s in self._subs if s.pumped)


    def subscribers(self, topic: str) -> list[str]:
        """Names of the open subscriptions ``topic`` reaches, in delivery order."""
        return [s.name for s in self._targets(topic)]

    def stats(self) -> dict[str, dict[str, int]]:
        return {s.name: {"pending": s.pending(), "dropped": s.dropped} for s in self._subs}
