"""SIGTERM unwinds like Ctrl-C inside ``exit_on_signals``, so ``finally:`` blocks run."""

from __future__ import annotations

import signal

import pytest

from claudedex.shutdown import exit_on_signals


def test_sigterm_raises_system_exit_and_finally_runs() -> None:
    before = signal.getsignal(signal.SIGTERM)
    cleaned: list[str] = []
    with pytest.raises(SystemExit) as caught, exit_on_signals():
        try:
            signal.raise_signal(signal.SIGTERM)
        finally:
            cleaned.append("child stopped")
    assert caught.value.code == 128 + signal.SIGTERM
    assert cleaned == ["child stopped"]
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_second_signal_does_not_interrupt_the_cleanup() -> None:
    steps: list[str] = []
    with pytest.raises(SystemExit), exit_on_signals():
        try:
            signal.raise_signal(signal.SIGTERM)
        finally:
            signal.raise_signal(signal.SIGTERM)  # a supervisor repeating itself
            steps.append("cleanup finished")
    assert steps == ["cleanup finished"]
