"""The secrets store file: one JSON document in the data dir, 0600, replaced atomically.

Shape: ``{"format": "claudedex-secrets-v1", "kdf": {...}, "check": BOX, "secrets":
{NAME: BOX}}`` where a BOX is ``{"nonce": hex, "ct": hex}`` (see
:mod:`claudedex.secrets.crypto`). ``check`` seals a fixed text, so a wrong passphrase is
told apart from a damaged value even in an empty store. Names are listed in clear (they
say *which* credentials exist, never their values).

Why a lock around every change: two ``claudedex secrets set`` at once must both land; each
change re-reads the file under the lock, then renames a complete new file into place.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock

from claudedex.errors import UserInputError
from claudedex.secrets.crypto import Kdf, SealError, StoreKey
from claudedex.security.files import private_dir, tighten, write_private_atomic

STORE_FILE = "secrets.enc"
FORMAT = "claudedex-secrets-v1"
PASSPHRASE_ENV = "CLAUDEDEX_SECRETS_PASSPHRASE"
KEYRING_SERVICE = "claudedex-secrets"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_VALUE = 64 * 1024  # bytes
_CHECK_NAME, _CHECK_TEXT = "\0check", b"claudedex secrets store"

Passphrase = Callable[[], str]


class SecretsError(UserInputError):
    """The store is locked, missing, damaged, or has no secret of that name (exit 2)."""


def store_path(data_dir: Path) -> Path:
    return data_dir / STORE_FILE


def check_name(name: str) -> str:
    """``name`` when it can name a secret (1-64 of letters, digits, '.', '_', '-')."""
    if not NAME_RE.match(name):
        raise SecretsError(f"secret name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit")
    return name


def env_passphrase() -> str:
    """The passphrase from ``CLAUDEDEX_SECRETS_PASSPHRASE``, else asked on the terminal."""
    value = os.environ.get(PASSPHRASE_ENV, "")
    if value:
        return value
    if sys.stdin.isatty():
        return getpass.getpass("secrets store passphrase: ")
    raise SecretsError(f"the secrets store is locked: set {PASSPHRASE_ENV} (or run on a "
                       "terminal to be asked)")


def _keyring() -> Any:
    try:
        import keyring
        import keyring.errors
    except ImportError:
        raise SecretsError("the OS keyring needs the `keyring` package: pip install "
                           "keyring") from None
    return keyring


def keyring_key(path: Path, *, create: bool) -> StoreKey:
    """The store key kept in the OS keyring for the store at ``path`` (made when asked)."""
    ring = _keyring()
    user = str(path.resolve())
    try:
        text = ring.get_password(KEYRING_SERVICE, user)
        if text:
            return StoreKey(bytes.fromhex(text))
        if not create:
            raise SecretsError(f"the OS keyring holds no key for {path}")
        key = StoreKey(os.urandom(32))
        ring.set_password(KEYRING_SERVICE, user, key.raw.hex())
    except ring.errors.KeyringError as exc:  # no backend (a headless server), locked, denied
        raise SecretsError(f"OS keyring: {exc or type(exc).__name__}; use a passphrase "
                           f"({PASSPHRASE_ENV}) instead") from None
    except ValueError:
        raise SecretsError(f"the OS keyring's key for {path} is malformed") from None
    return key


class SecretStore:
    """An opened store: ``names()``, ``get(name)``, ``set(name, value)``, ``rotate(...)``."""

    def __init__(self, path: Path, kdf: Kdf, key: StoreKey,
                 boxes: dict[str, dict[str, str]]) -> None:
        self.path = path
        self._kdf = kdf
        self._key = key
        self._boxes = boxes

    def __repr__(self) -> str:
        return f"SecretStore({str(self.path)!r}, {len(self._boxes)} secrets)"

    @property
    def kdf_name(self) -> str:
        return self._kdf.name

    def names(self) -> list[str]:
        return sorted(self._boxes)

    def has(self, name: str) -> bool:
        return name in self._boxes

    def get(self, name: str) -> str:
        """The secret's value; raises :class:`SecretsError` when absent or undecryptable."""
        box = self._boxes.get(check_name(name))
        if box is None:
            raise SecretsError(f"no secret named {name!r} in {self.path} (set it with "
                               f"`claudedex secrets set {name}`)")
        try:
            return self._key.open(name, box).decode("utf-8")
        except (SealError, UnicodeDecodeError) as exc:
            raise SecretsError(str(exc)) from None

    def set(self, name: str, value: str) -> None:
        """Store ``value`` under ``name`` (replacing any), on disk before this returns."""
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:  # stdin bytes that are not UTF-8 arrive as surrogates
            raise SecretsError(f"secret {name!r}: the value is not UTF-8 text") from None
        if not data:
            raise SecretsError(f"secret {name!r}: an empty value is not a secret")
        if len(data) > MAX_VALUE:
            raise SecretsError(f"secret {name!r}: over {MAX_VALUE} bytes")
        check_name(name)
        with _lock(self.path):
            self._reload()
            self._boxes[name] = self._key.seal(name, data)
            self._save()

    def rotate(self, kdf: Kdf, key: StoreKey) -> int:
        """Re-encrypt every secret under ``key`` (fresh nonces); returns how many.

        All values are decrypted first: a store that does not fully decrypt is left as it
        was. The new file replaces the old in one rename.
        """
        with _lock(self.path):
            self._reload()
            try:
                plain = {name: self._key.open(name, box) for name, box in self._boxes.items()}
            except SealError as exc:  # an edited value: say so (exit 2), change nothing
                raise SecretsError(f"{exc}; nothing was rotated") from None
            self._kdf, self._key = kdf, key
            self._boxes = {name: key.seal(name, value) for name, value in plain.items()}
            self._save()
        return len(plain)

    def _reload(self) -> None:
        if not self.path.exists():
            return
        kdf, boxes, check = _read(self.path)
        if kdf != self._kdf:
            raise SecretsError(f"{self.path} was rotated by another process: open it again")
        _verify(self._key, check, self.path)
        self._boxes = boxes

    def _save(self) -> None:
        doc = {"format": FORMAT, "kdf": self._kdf.to_json(),
               "check": self._key.seal(_CHECK_NAME, _CHECK_TEXT), "secrets": self._boxes}
        private_dir(self.path.parent)
        write_private_atomic(self.path, (json.dumps(doc, indent=1, sort_keys=True) + "\n")
                             .encode("utf-8"))


def _lock(path: Path) -> FileLock:
    return FileLock(str(path.with_name(path.name + ".lock")), timeout=30)


def _read(path: Path) -> tuple[Kdf, dict[str, dict[str, str]], dict[str, str]]:
    try:
        tighten(path)
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError("not a claudedex secrets store")
        kdf = Kdf.from_json(dict(doc["kdf"]))
        boxes = {check_name(str(k)): dict(v) for k, v in dict(doc["secrets"]).items()}
        return kdf, boxes, dict(doc["check"])
    except OSError as exc:
        raise SecretsError(f"{path}: cannot read the secrets store: "
                           f"{exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SecretsError(f"{path}: damaged secrets store ({exc})") from None


def _verify(key: StoreKey, check: dict[str, str], path: Path) -> None:
    try:
        ok = key.open(_CHECK_NAME, check) == _CHECK_TEXT
    except SealError:
        ok = False
    if not ok:
        raise SecretsError(f"{path}: wrong passphrase (or key) for the secrets store")


def derive(kdf: Kdf, path: Path, passphrase: Passphrase, *, create: bool) -> StoreKey:
    """The key for ``kdf``: from the OS keyring, or scrypt over the passphrase."""
    if kdf.name == "keyring":
        return keyring_key(path, create=create)
    try:
        return StoreKey.from_passphrase(passphrase(), kdf)
    except SecretsError:
        raise
    except Exception as exc:  # noqa: BLE001 - empty passphrase (ClaudeDexError) and friends
        raise SecretsError(f"secrets store key: {exc}") from None


def open_store(data_dir: Path, *, passphrase: Passphrase = env_passphrase,
               create: bool = False, use_keyring: bool = False) -> SecretStore:
    """The store in ``data_dir``, unlocked.

    ``create``: a missing store becomes an empty one (written on the first ``set``), keyed
    by the OS keyring when ``use_keyring`` else by scrypt over ``passphrase()``.
    Raises :class:`SecretsError` when missing (and not ``create``), damaged or locked.
    """
    path = store_path(data_dir)
    if not path.exists():
        if not create:
            raise SecretsError(f"no secrets store at {path} (create one with "
                               "`claudedex secrets set NAME`)")
        kdf = Kdf("keyring") if use_keyring else Kdf.fresh_scrypt()
        return SecretStore(path, kdf, derive(kdf, path, passphrase, create=True), {})
    kdf, boxes, check = _read(path)
    key = derive(kdf, path, passphrase, create=False)
    _verify(key, check, path)
    return SecretStore(path, kdf, key, boxes)
