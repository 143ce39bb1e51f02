"""SIGTERM (and SIGHUP) as an exception in the main thread, so every ``finally:`` runs.

Why: Python's default action for SIGTERM ends the process on the spot, skipping the
``finally:`` blocks that stop child processes (anvil, emulators), and a child started in its
own session (so that a terminal's Ctrl-C reaches us, not it) then outlives us. Raising
:class:`SystemExit` from the handler unwinds the stack like Ctrl-C's KeyboardInterrupt
does, and exits 128 + the signal's number, as the shell would report.

Only the first signal raises: a second one while the ``finally:`` blocks run (a supervisor
repeating its TERM) must not interrupt the cleanup it is waiting for.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGHUP)

Handler = Callable[[int, FrameType | None], Any] | int | None


@contextmanager
def exit_on_signals(signals: tuple[signal.Signals, ...] = SIGNALS) -> Iterator[None]:
    """Within the block, the first of ``signals`` raises ``SystemExit(128 + signum)``.

    Off the main thread (where Python cannot install handlers) it does nothing. The
    previous handlers come back when the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        if fired:
            return  # already unwinding: let the cleanup finish
        fired.append(signum)
        raise SystemExit(128 + signum)

    previous: dict[signal.Signals, Handler] = {}
    for sig in signals:
        if signal.getsignal(sig) == signal.SIG_IGN:
            continue  # started with it ignored (nohup): keep the operator's choice
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
