"""structlog set-up for a run: JSON lines in the profile's data dir, optional console view.

Why both: the JSON file is what tools and post-mortems read (one object per line, UTC
timestamps); a headless operator wants readable lines on stderr. Under the TUI nothing may
write to the terminal, so ``console=False`` sends everything, stdlib logging included
(web3, aiohttp), to the file only.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog

from claudedex.secrets.resolve import scrub, scrub_event

LOG_FILE = "claudedex.log"


class _ConsoleTee:
    """A processor that also shows each event, readably, on a stream (stderr)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._render = structlog.dev.ConsoleRenderer(colors=stream.isatty())

    def __call__(self, logger: Any, name: str,
                 event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        line = self._render(logger, name, dict(event_dict))
        print(line, file=self._stream, flush=True)
        return event_dict


class _JsonFormatter(logging.Formatter):
    """Stdlib records (web3, aiohttp, asyncio) as the same JSON lines as structlog's."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"timestamp": self.formatTime(record), "level": record.levelname.lower(),
                 "logger": record.name, "event": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return scrub(json.dumps(entry, default=str))


def configure_logging(data_dir: Path, console: bool, level: int = logging.INFO,
                      stream: TextIO | None = None) -> Path:
    """Send structlog (and stdlib logging) to ``<data_dir>/claudedex.log`` as JSON lines;
    with ``console`` also to ``stream`` (default stderr). Returns the log file's path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOG_FILE
    log_file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives for the run
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        scrub_event,  # stored secret values never reach a log line
    ]
    if console:
        processors.append(_ConsoleTee(stream if stream is not None else sys.stderr))
    processors.append(structlog.processors.JSONRenderer(default=str))
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.WriteLoggerFactory(file=log_file),
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(log_file)
    handler.setFormatter(_JsonFormatter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    return path


def stderr_logger(*_args: Any) -> Any:
    """A structlog logger factory writing to whatever ``sys.stderr`` is *now* (a command's
    stderr may be replaced, as a test runner does, after logging was configured)."""
    return structlog.PrintLogger(sys.stderr)
