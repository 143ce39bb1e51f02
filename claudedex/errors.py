"""One error hierarchy, so faces can tell an operator mistake from an engine fault.

Every error the engine raises on purpose derives from :class:`ClaudeDexError`; the CLI turns
:class:`UserInputError` into one line on stderr and exit code 2.
"""

from __future__ import annotations


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


class NotBuiltYet(UserInputError):
    """A command whose subsystem has not landed yet; the message names the issue."""
