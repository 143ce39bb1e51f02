"""Supervision: every long-lived task is owned, logged when it fails, and restarted.

Why not TaskGroup alone: a TaskGroup cancels all siblings when one child fails, which would
let a crashing discovery source stop order execution. The supervisor owns a TaskGroup but
wraps each child in a restart loop with exponential backoff, publishing
:class:`ComponentFailed` so the operator sees it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from claudedex.bus import EventBus
from claudedex.events import ComponentFailed

log = structlog.get_logger("claudedex.supervisor")

TaskFactory = Callable[[], Awaitable[None]]


@dataclass
class ChildState:
    name: str
    restarts: int = 0
    last_error: str = ""
    running: bool = False


@dataclass
class Supervisor:
    bus: EventBus
    initial_backoff: float = 0.1
    max_backoff: float = 30.0
    children: dict[str, ChildState] = field(default_factory=dict)
    _group: asyncio.TaskGroup | None = None
    _pending: list[tuple[str, TaskFactory, bool]] = field(default_factory=list)

    def add(self, name: str, factory: TaskFactory, *, restart: bool = True) -> None:
        """Register a child; started now if the supervisor runs, else when it starts."""
        if name in self.children:
            raise ValueError(f"duplicate supervised task {name!r}")
        self.children[name] = ChildState(name)
        if self._group is not None:
            self._group.create_task(self._run_child(name, factory, restart), name=name)
        else:
            self._pending.append((name, factory, restart))

    async def run(self) -> None:
        """Run all children until cancelled (or all of them finish)."""
        async with asyncio.TaskGroup() as group:
            self._group = group
            for name, factory, restart in self._pending:
                group.create_task(self._run_child(name, factory, restart), name=name)
            self._pending.clear()
        self._group = None

    async def wait_running(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109 - a bound, not a cancel scope
        """Wait until every registered child has started once (for a clean start-up)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if all(c.running or c.restarts for c in self.children.values()):
                return True
            await asyncio.sleep(0.001)
        return False

    async def _run_child(self, name: str, factory: TaskFactory, restart: bool) -> None:
        state = self.children[name]
        backoff = self.initial_backoff
        while True:
            state.running = True
            try:
                await factory()
                state.running = False
                return
            except asyncio.CancelledError:
                state.running = False
                raise
            except Exception as exc:  # noqa: BLE001 - logged, published and restarted below
                state.running = False
                state.restarts += 1
                state.last_error = f"{type(exc).__name__}: {exc}"
                log.error("component_failed", component=name, restarts=state.restarts,
                          error=state.last_error, exc_info=exc)
                self.bus.publish_nowait(
                    ComponentFailed(component=name, error=state.last_error,
                                    restarts=state.restarts)
                )
                if not restart:
                    return
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
