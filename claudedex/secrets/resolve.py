"""Profiles name secrets (``"secret:NAME"``); the values are put in at profile load.

Why at load: every consumer of a profile (the builder, the CLI, the relay client) keeps
reading plain settings and never learns where a value came from. A field that names an
environment variable (``*_env``: the RPC URL's, the aggregator key's, the keystore
password's) gets a variable of ours, ``CLAUDEDEX_SECRET_<NAME>``, holding the value, so
those consumers work unchanged.

Why a process-wide list of revealed values: a resolved value may reach a log line or an
error message through code that does not know it is secret (a URL with credentials in a
"relay configured" line). :func:`scrub` replaces every revealed value with ``***``; the
logging set-up runs it on every event.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from claudedex.errors import ConfigError

PREFIX = "secret:"
MASK = "***"
_MIN_SCRUB = 4  # shorter values would mask ordinary words; secrets are never that short
_revealed: set[str] = set()


def remember(value: str) -> str:
    """Note ``value`` as secret (scrubbed from logs from now on); returns it."""
    if len(value) >= _MIN_SCRUB:
        _revealed.add(value)
    return value


def scrub(text: str) -> str:
    """``text`` with every secret value revealed in this process replaced by ``***``."""
    for value in sorted(_revealed, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


def scrub_event(logger: Any, method: str,
                event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: scrub every text value of the event (nested ones included)."""
    if _revealed:
        for key, value in list(event_dict.items()):
            event_dict[key] = _scrub_any(value)
    return event_dict


def _scrub_any(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_any(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return scrub(str(value))


def references(data: Any) -> list[str]:
    """The secret names a parsed profile refers to, in order of appearance."""
    if isinstance(data, dict):
        return [n for v in data.values() for n in references(v)]
    if isinstance(data, list):
        return [n for v in data for n in references(v)]
    if isinstance(data, str) and data.startswith(PREFIX):
        return [data[len(PREFIX):]]
    return []


def env_name(secret: str) -> str:
    """The environment variable a ``*_env`` field gets for ``secret``."""
    return "CLAUDEDEX_SECRET_" + re.sub(r"[^A-Z0-9]", "_", secret.upper())


def resolve_references(data: dict[str, Any], source: str) -> dict[str, Any]:
    """``data`` (a parsed profile) with each ``"secret:NAME"`` replaced by its value.

    The store is the one in the profile's data dir (``$CLAUDEDEX_HOME/<name>``), opened
    only when there is a reference or ``secrets.audit_key_secret`` (that key becomes the
    data dir's audit key in this process, so ``audit verify`` and the engine agree).
    Raises ConfigError (a bad name) or SecretsError (the store is missing, locked, or
    lacks a named secret), both one line at the CLI.
    """
    section = data.get("secrets")
    audit_secret = section.get("audit_key_secret") if isinstance(section, dict) else None
    if not references(data) and not audit_secret:
        return data
    from claudedex.paths import data_dir
    from claudedex.secrets.store import check_name, open_store

    name = data.get("name")
    if not isinstance(name, str):
        raise ConfigError(f"{source}: a profile that refers to secrets needs its 'name'")
    for ref in references(data):
        check_name(ref)
    store = open_store(data_dir(name))

    def walk(node: Any, key: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str) and node.startswith(PREFIX):
            secret = node[len(PREFIX):]
            value = remember(store.get(secret))
            if key.endswith("_env"):
                os.environ[env_name(secret)] = value
                return env_name(secret)
            return value
        return node

    resolved: dict[str, Any] = walk(data, "")
    if isinstance(audit_secret, str) and audit_secret:
        from claudedex.security.audit_key import use_stored_key

        use_stored_key(data_dir(name), remember(store.get(audit_secret)))
    return resolved


def named_secret(data_dir: Path, name: str) -> str:
    """One secret's value from the store in ``data_dir`` (remembered for scrubbing)."""
    from claudedex.secrets.store import open_store

    return remember(open_store(data_dir).get(name))


def resolve_profile(profile: Any) -> Any:
    """A profile loaded with ``resolve_secrets=False``, its references now resolved (the
    same object when it has none). Raises as :func:`resolve_references`."""
    data = profile.model_dump(mode="json")
    if not references(data):
        return profile
    from claudedex.config import parse_profile

    return parse_profile(resolve_references(data, f"profile {profile.name}"), profile.name)


def use_audit_key(data_dir: Path, secret_name: str) -> None:
    """Make the secret ``secret_name`` the audit MAC key for ``data_dir`` in this process."""
    from claudedex.security.audit_key import use_stored_key

    use_stored_key(data_dir, named_secret(data_dir, secret_name))
