"""The encrypted secrets store: API keys, RPC URLs with credentials, the JWT and audit keys.

Why a store of our own: a profile is a text file that gets copied, shared and committed; a
credential in it (or in a shell history) outlives the operator's intent. The store keeps
each value AES-256-GCM encrypted in the profile's data dir (0600), and profiles name a
secret (``secret:NAME``) instead of holding it.
"""

from claudedex.secrets.store import SecretsError, SecretStore, open_store, store_path

__all__ = ["SecretStore", "SecretsError", "open_store", "store_path"]
