"""The encrypted secrets store: API keys, RPC URLs with credentials, the JWT and audit keys.

Why a store of our own: a profile is a text file that gets copied, shared and committed; a
credential in it (or in a shell history) outlives the operator's intent. The store keeps
each value AES-256-GCM encrypted in the profile's data dir (0600), and profiles name a
secret (``secret:NAME``) instead of holding it.

Why the names below are looked up on first use (PEP 562): every log set-up imports
:mod:`claudedex.secrets.resolve` (the scrubber), which imports this package; the store
brings ``cryptography`` and ``filelock`` (15 ms), which only opening a store needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claudedex.secrets.store import SecretsError, SecretStore, open_store, store_path

__all__ = ["SecretStore", "SecretsError", "open_store", "store_path"]


def __getattr__(name: str) -> Any:
    """``SecretStore``, ``SecretsError``, ``open_store``, ``store_path``: from the store."""
    if name in __all__:
        from claudedex.secrets import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
