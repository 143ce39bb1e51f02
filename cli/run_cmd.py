"""``claudedex run``: the engine with the operator console, or headless with logs only.

Heavy imports (engine, Textual) happen inside the command so ``claudedex --help`` is fast.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

import typer

from claudedex.errors import UserInputError, sole_error


def _threshold(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UserInputError(f"--auto-approve-below: {text!r} is not a number (ETH)") from None
    if not value.is_finite() or value < 0:
        raise UserInputError("--auto-approve-below must be zero or a positive amount of ETH")
    return value


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        profile: str = typer.Option("devnet", "--profile", "-p", help="Profile name or TOML path."),
        headless: bool = typer.Option(False, "--headless", help="No TUI: key events as lines."),
        duration: float | None = typer.Option(None, "--duration", help="Stop after S seconds."),
        auto_approve_below: str | None = typer.Option(
            None, "--auto-approve-below",
            help="Auto-approve safe proposals worth less than this many ETH (quote units)."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary at exit."),
    ) -> None:
        """Open the operator console (TUI) with the engine; --headless for logs only."""
        if duration is not None and duration <= 0:
            raise UserInputError("--duration must be a positive number of seconds")
        threshold = _threshold(auto_approve_below)
        from claudedex.config import load_profile

        loaded = load_profile(profile)
        try:
            summary = asyncio.run(_main(loaded, headless=headless, duration=duration,
                                        threshold=threshold, as_json=as_json))
        except BaseExceptionGroup as group:
            # The TaskGroup wraps what engine.start() raised (RPC down, a bad database):
            # the face shows that error's one line, not the group's traceback.
            err = sole_error(group)
            if err is None:
                raise
            raise err from None
        if as_json:
            typer.echo(json.dumps(summary, sort_keys=True))


async def _main(profile: Any, *, headless: bool, duration: float | None,
                threshold: Decimal | None, as_json: bool) -> dict[str, Any]:
    from claudedex.engine import Engine
    from claudedex.observability.logging import configure_logging
    from claudedex.paths import data_dir
    from tui.headless import RunSummary, follow, wait_for_stop

    directory = data_dir(profile.name)
    log_path = configure_logging(directory, console=headless)
    engine = Engine(profile, data_dir=directory)
    if threshold is not None:
        engine.approvals.auto_approve_below = threshold
    summary = RunSummary(profile=profile.name)
    # Subscribe before start so the first events (a persisted halt) are seen.
    sub = engine.events(name="run-summary")
    emit = None
    if headless and not as_json:
        def emit(line: str) -> None:
            print(line, flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if headless:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with asyncio.TaskGroup() as group:
            follower = group.create_task(follow(sub, summary, emit), name="run-follow")
            # On a terminal the console starts the engine itself, behind its first frame;
            # without one (captured output) nobody sees frames: start first, so a failed
            # start is the one line of the error and no screen dump.
            boot = not headless and sys.__stderr__ is not None and sys.__stderr__.isatty()
            if not boot:
                await engine.start()
            try:
                if headless:
                    if emit is not None:
                        emit(f"engine running (profile {profile.name}); logs in {log_path}")
                    await wait_for_stop(stop, duration)
                else:
                    await _run_tui(engine, duration, boot)
            finally:
                await engine.stop()
                sub.close()
            await follower
    finally:
        if headless:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
    status = await engine.status()
    result = summary.as_dict()
    result["halted"] = status.halted
    result["log"] = str(log_path)
    if headless and emit is not None:
        print(f"stopped after {result['duration_s']}s: {result['pairs']} pairs, "
              f"{result['proposals']} proposals, {result['fills']} fills", file=sys.stderr)
    return result


async def _run_tui(engine: Any, duration: float | None, boot: bool) -> None:
    from tui.app import ClaudeDexApp

    app = ClaudeDexApp(engine, exit_after=duration, boot=boot)
    await app.run_async()
    if app.start_error is not None:  # the engine did not start: its one-line error
        raise app.start_error
