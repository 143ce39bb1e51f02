"""A command from another process: hand it to the running engine, or become the engine.

Why both: ``claudedex trade`` must work with the console running (it holds the writer
lock, so only it may reserve a nonce) and without (then this process takes the lock and
builds the kernel itself, serving the channel to others meanwhile). A process that finds
the lock held and no answer retries until ``wait_s``, then says so (exit 2).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import structlog

from claudedex.control.client import NoEngine, request
from claudedex.control.lock import ProfileBusy
from claudedex.errors import UserInputError

if TYPE_CHECKING:
    from claudedex.config import Profile
    from claudedex.engine import Engine

log = structlog.get_logger(__name__)
T = TypeVar("T")


async def dispatch(profile: Profile, data_dir: Path, cmd: str, args: dict[str, Any], *,
                   local: Callable[[Engine], Awaitable[T]],
                   remote: Callable[[Any], T],
                   progress: Callable[[str], None] | None = None,
                   wait_s: float = 60.0, read_only: bool = False) -> T:
    """Run ``cmd`` on the engine serving ``data_dir``, else on a kernel built here.

    ``remote`` turns the channel's JSON result into ``T``; ``local`` runs the command on
    a started engine built with feeds off (``read_only``: no execution component, so no
    recovery that could re-send anything, and no control socket to take others' orders).
    Raises :class:`UserInputError` when the profile
    is held by a process that never answers within ``wait_s`` seconds.
    """
    from claudedex.engine import Engine
    from claudedex.kernel import BuildOptions

    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    pause = 0.05
    while True:
        try:
            return remote(await request(data_dir, cmd, args, progress=progress))
        except NoEngine:
            pass
        engine = Engine(profile, data_dir=data_dir, serve_control=not read_only,
                        serve_api=False,  # a one-shot command: the socket, no HTTP port
                        options=BuildOptions(feeds=False, start_devnet=False,
                                             execute=not read_only))
        try:
            await engine.start()
        except ProfileBusy:
            if loop.time() > deadline:
                raise UserInputError(
                    f"profile {profile.name} is held by another claudedex process that does "
                    f"not answer on its control socket (waited {wait_s:.0f}s)") from None
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)
            continue
        try:
            return await local(engine)
        finally:
            await engine.stop()
