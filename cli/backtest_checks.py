"""`claudedex backtest`: what is checked before a replay starts, and watched while it runs.

Why a module of its own: each check here stands between the operator's input and a
result they would trust. A replay can run for minutes; a ``--report`` directory that
cannot be written, a pool depth that makes the candles' prices unrepresentable, or a
strategy file that raises in ``__init__`` was found only at the end (or as a traceback),
and a strategy that raised in ``evaluate`` was restarted by the supervisor and the replay
went on without it, printing the figures of a run that never traded. Each is one line on
stderr and exit 2 here, before anything is written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import Any

from claudedex.errors import ClaudeDexError, UserInputError

WEI = 10**18
# a candle's price becomes a virtual pool's reserves: at least this many token base units
# (a price step of one part in a million), else the replay's prices are not the file's
MIN_RESERVE_UNITS = 10**6
MAX_LIQUIDITY_WEI = 10**120  # reserves become floats on the way to the view's prices
FAILED_EVENT = "component_failed"  # what the supervisor logs when a component raised
HIGH = itemgetter(2)  # a Candle's high (its third field), read in C: no frame per candle


def one_line(text: str, limit: int = 300) -> str:
    """``text`` (an operator's exception text: untrusted) as one printable line."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def liquidity_wei(raw: str) -> int:
    """``--liquidity`` (quote units, a decimal text) as exact wei; UserInputError unless a
    finite number above zero of at most 18 decimals' worth of wei."""
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise UserInputError(f"--liquidity {raw!r}: expected a number of quote units "
                             f"(1000, 2.5)") from None
    if not value.is_finite() or value <= 0:
        raise UserInputError(f"--liquidity {raw!r}: expected a finite number above zero")
    wei = int(value * WEI)
    if wei < MIN_RESERVE_UNITS or wei > MAX_LIQUIDITY_WEI:
        low, high = (Decimal(x) / WEI for x in (MIN_RESERVE_UNITS, MAX_LIQUIDITY_WEI))
        raise UserInputError(f"--liquidity {raw!r}: outside {low.normalize():g} .. "
                             f"{high.normalize():g} quote units")
    return wei


def check_depth(series: Sequence[Any], wei: int, raw: str) -> None:
    """Each candle's highest price must leave the virtual pool ``MIN_RESERVE_UNITS`` tokens:
    reserves are integers, so a pool too shallow for its price rounds the price (or holds
    no token at all, a division by zero in the replay). ``series``: CandleSeries."""
    for s in series:
        top = max(map(HIGH, s.candles), default=0.0)
        if top > 0 and wei / top < MIN_RESERVE_UNITS:
            need = Decimal(MIN_RESERVE_UNITS) * Decimal(repr(top)) / WEI
            raise UserInputError(f"--liquidity {raw}: too shallow for {s.pair}'s prices up to "
                                 f"{top:g} (the virtual pool would hold under "
                                 f"{MIN_RESERVE_UNITS} token units); give at least "
                                 f"{need:.3g}")


def check_report_dir(out: Path) -> None:
    """``--report DIR`` checked before the replay: a directory, or a new one whose nearest
    existing parent is a writable directory; none of the report's files a directory."""
    from claudedex.backtest.report import REPORT_FILES

    if out.exists() and not out.is_dir():
        raise UserInputError(f"--report {out}: exists and is not a directory")
    if out.is_dir():
        taken = [name for name in REPORT_FILES if (out / name).is_dir()]
        if taken:
            raise UserInputError(f"--report {out}: {taken[0]} there is a directory")
        base = out
    else:
        base = out.parent
        while not base.exists() and base != base.parent:
            base = base.parent
        if not base.is_dir():
            raise UserInputError(f"--report {out}: {base} is not a directory")
    if not os.access(base, os.W_OK | os.X_OK):
        raise UserInputError(f"--report {out}: {base} is not writable")


def strategy_factory(name: str, params: Mapping[str, Any],
                     strategy_file: Path | None) -> Callable[[], Any]:
    """A function making the strategy the replay will run (as the registry builds it),
    tried once: an exception in a strategy file's ``__init__`` is one line, exit 2."""
    from claudedex.strategy.registry import BUILTIN, load_strategy_file, own_params

    choices = dict(BUILTIN)
    user = load_strategy_file(strategy_file) if strategy_file is not None else {}
    choices.update(user)
    if name not in choices and len(user) == 1:
        name = next(iter(user))
    cls = choices.get(name)
    if cls is None:
        raise UserInputError(f"unknown strategy '{name}' (known: {', '.join(sorted(choices))})")
    own = own_params(cls, params, choices.values())

    def make() -> Any:
        return cls(dict(own))

    if name in user:
        try:
            make()
        except ClaudeDexError:
            raise
        except Exception as exc:  # noqa: BLE001 - the operator's code: any fault is theirs
            raise UserInputError(f"strategy file {strategy_file}: {cls.__name__}() raised "
                                 f"{type(exc).__name__}: {one_line(str(exc))}") from None
    return make


def raised_in(exc: BaseException, path: Path) -> str | None:
    """Where in the file ``path`` the exception ``exc`` passed (``line 12, in evaluate``,
    the innermost such frame), or None when none of its frames is in that file."""
    import traceback

    target = os.path.realpath(path)
    inside = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.realpath(f.filename) == target]
    return f"line {inside[-1].lineno}, in {inside[-1].name}" if inside else None


@dataclass(slots=True)
class FailureWatch:
    """Components the supervisor saw fail during the replay (it restarts them, and the
    replay goes on without what they would have done). Install before the replay; call
    :meth:`check` after it."""

    strategy_file: Path | None  # the operator's strategy file, if the strategy is one
    failures: list[tuple[str, str]] = field(default_factory=list)  # (component, error)
    where: str | None = None  # the first failure's line in the strategy file, if it was there

    def install(self) -> None:
        """Log warnings and above to stderr (stdout holds the report), and record each
        component failure; a strategy file's is recorded only (its line says it)."""
        import structlog

        from claudedex.observability.logging import stderr_logger

        def watch(_logger: Any, _method: str, event: Any) -> Any:
            if event.get("event") == FAILED_EVENT:
                self.failures.append((str(event.get("component", "?")),
                                      str(event.get("error", "?"))))
                exc = event.get("exc_info")
                if (self.where is None and self.strategy_file is not None
                        and isinstance(exc, BaseException)):
                    self.where = raised_in(exc, self.strategy_file)
                if self.strategy_file is not None and event.get("component") == "strategy":
                    raise structlog.DropEvent
            return event

        structlog.configure(
            processors=[watch, structlog.processors.add_log_level,
                        structlog.processors.format_exc_info, structlog.dev.ConsoleRenderer()],
            wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
            logger_factory=stderr_logger, cache_logger_on_first_use=False)

    def check(self) -> None:
        """UserInputError (a strategy file's fault) or ClaudeDexError (exit 1) when any
        component failed: the figures would be those of a replay missing its work."""
        if not self.failures:
            return
        component, error = self.failures[0]
        more = f" (and {len(self.failures) - 1} more failures)" if len(self.failures) > 1 else ""
        text = (f"the {component} component failed during the replay: {one_line(error)}"
                f"{more}; its figures would be wrong, so none are given")
        if self.strategy_file is not None and component == "strategy":
            at = f" ({self.where})" if self.where else ""
            raise UserInputError(f"strategy file {self.strategy_file}{at}: {text}")
        raise ClaudeDexError(text)


__all__ = ["FailureWatch", "check_depth", "check_report_dir", "liquidity_wei",
           "one_line", "raised_in", "strategy_factory"]
