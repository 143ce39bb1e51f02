"""One error hierarchy, so faces can tell an operator mistake from an engine fault.

Every error the engine raises on purpose derives from :class:`ClaudeDexError`; the CLI turns
:class:`UserInputError` into one line on stderr and exit code 2.
"""

from __future__ import annotations

from typing import Any


class ClaudeDexError(Exception):
    """Root of every error ClaudeDex raises deliberately."""


class UserInputError(ClaudeDexError):
    """Bad input from the operator (flags, files, profiles): one clear line, exit 2."""


class ConfigError(UserInputError):
    """A profile file is missing, malformed, or has an unknown key or wrong type."""


class StorageError(ClaudeDexError):
    """The database could not be reached, migrated or written."""


class ChainError(ClaudeDexError):
    """An RPC node failed, timed out, or returned something inconsistent."""


class RpcError(ChainError):
    """A JSON-RPC peer (node, relay) answered with an error object.

    ``error`` is that object as received; a revert inside ``eth_call`` is data for the safety
    checks (``ChainReader.call`` returns ``None``), not this error.
    """

    def __init__(self, method: str, error: Any, *, text: str | None = None) -> None:
        super().__init__(text if text is not None else f"{method} failed: {error}")
        self.method = method
        self.error = error

    @classmethod
    def answered(cls, method: str, code: int, message: str) -> RpcError:
        """The relay's wording, ``method: message (code N)``: no ``failed:`` in it, which
        ``execution.txflow.classify`` reads as a transient client error."""
        return cls(method, {"code": code, "message": message},
                   text=f"{method}: {message} (code {code})")

    @property
    def code(self) -> int:
        """The JSON-RPC error code (-32000, server error, when the peer gave none)."""
        raw = self.error.get("code", -32000) if isinstance(self.error, dict) else -32000
        try:
            return int(raw)
        except (TypeError, ValueError):
            return -32000

    @property
    def rpc_message(self) -> str:
        """The peer's error message (the whole error object when it has none)."""
        if isinstance(self.error, dict):
            return str(self.error.get("message", self.error))
        return str(self.error)


class DevnetError(ClaudeDexError):
    """The local devnet (anvil, Uniswap deployment, market) could not start or run."""


class SignerRefused(ClaudeDexError):
    """The signer layer refused to sign: halted, over a cap, unknown target, wrong chain."""


class EngineHalted(SignerRefused):
    """The engine is halted (emergency stop); nothing is signed until an operator resumes."""


class UnknownProposal(UserInputError):
    """A command named a proposal id that does not exist or is no longer pending."""


class OverrideForbidden(UserInputError):
    """An override was refused: scam verdicts cannot be overridden, risky needs confirmation."""


class DataDirError(UserInputError):
    """``CLAUDEDEX_HOME`` or a profile's data dir is not a writable directory inside it."""


def sole_error(exc: BaseException) -> ClaudeDexError | None:
    """The first :class:`ClaudeDexError` of an exception group whose leaves all are one.

    A ``TaskGroup`` wraps an engine error in an ``ExceptionGroup``; the faces want the
    error's one line, not the group's traceback. ``None`` when any leaf is something else
    (a bug, whose traceback must stay visible).
    """
    if isinstance(exc, ClaudeDexError):
        return exc
    if not isinstance(exc, BaseExceptionGroup):
        return None
    found: ClaudeDexError | None = None
    for leaf in exc.exceptions:
        err = sole_error(leaf)
        if err is None:
            return None
        found = found or err
    return found


class ReplayAborted(ClaudeDexError):
    """A kernel component raised during a backtest replay (live, the supervisor restarts
    it; a replay going on without it would report the figures of a run lacking its work).
    ``component`` names it (strategy, portfolio, ...); ``__cause__`` is the exception when
    the replay called the component itself."""

    def __init__(self, component: str, error: str) -> None:
        super().__init__(f"the {component} component failed during the replay: {error}")
        self.component, self.error = component, error
