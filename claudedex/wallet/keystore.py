"""Encrypted JSON v3 keystores (scrypt): create, import, list, unlock.

Why these rules: a keystore is the only copy of a key, so it is written atomically (temp
file in the same directory, fsync, rename) with mode 0600 in a 0700 directory, never
overwritten, and the private key is never printed, logged or put in an error message.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils.address import to_checksum_address

from claudedex.errors import UserInputError
from claudedex.wallet.local import LocalKeySigner
from claudedex.wallet.txcodec import SECP256K1_N

KEYSTORE_DIRNAME = "keystores"
DEFAULT_SCRYPT_N = 2**18  # eth-keyfile's default work factor; tests pass a smaller one
MIN_PASSWORD = 8


@dataclass(frozen=True)
class KeystoreEntry:
    address: str
    path: Path


def keystore_dir(data_dir: Path) -> Path:
    return data_dir / KEYSTORE_DIRNAME


def parse_private_key(text: str) -> bytes:
    """32 bytes of hex (optional 0x) in the secp256k1 range; the error never echoes it."""
    cleaned = text.strip()
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    if len(cleaned) != 64:
        raise UserInputError("a private key is 64 hex characters (32 bytes), 0x optional")
    try:
        raw = bytes.fromhex(cleaned)
    except ValueError:
        raise UserInputError("the private key is not valid hex") from None
    if not 0 < int.from_bytes(raw, "big") < SECP256K1_N:
        raise UserInputError("the private key is outside the secp256k1 range")
    return raw


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserInputError(f"the keystore password must be at least {MIN_PASSWORD} characters")
    return password


def _write_atomic(directory: Path, name: str, content: str) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / name
    if target.exists():
        raise UserInputError(f"{target} already exists; refusing to overwrite a keystore")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.link(tmp, target)  # fails if the target appeared meanwhile: never overwrite
    finally:
        os.unlink(tmp)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


def write_keystore(
    directory: Path, private_key: bytes, password: str, *, scrypt_n: int | None = None
) -> KeystoreEntry:
    """Encrypt ``private_key`` and store it as ``UTC--<time>--<address>.json``."""
    check_password(password)
    address = to_checksum_address(Account.from_key(private_key).address)
    for entry in list_keystores(directory):
        if entry.address == address:
            raise UserInputError(f"a keystore for {address} already exists: {entry.path}")
    work = scrypt_n or DEFAULT_SCRYPT_N
    document = Account.encrypt(private_key, password, kdf="scrypt", iterations=work)
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime())
    name = f"UTC--{stamp}Z--{address[2:].lower()}.json"
    path = _write_atomic(directory, name, json.dumps(document))
    return KeystoreEntry(address=address, path=path)


def new_keystore(directory: Path, password: str, *, scrypt_n: int | None = None) -> KeystoreEntry:
    """A fresh random key, encrypted; the key itself is never shown."""
    key = bytes(Account.create().key)
    return write_keystore(directory, key, password, scrypt_n=scrypt_n)


def _read_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        kind = exc.__class__.__name__
        raise UserInputError(f"{path}: not a readable keystore ({kind})") from None
    if not isinstance(document, dict) or document.get("version") != 3 or "crypto" not in document:
        raise UserInputError(f"{path}: not a JSON v3 keystore")
    return document


def list_keystores(directory: Path) -> list[KeystoreEntry]:
    """Every readable v3 keystore in ``directory`` (others are skipped), sorted by file."""
    if not directory.is_dir():
        return []
    out: list[KeystoreEntry] = []
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith(".tmp-"):
            continue
        try:
            document = _read_document(path)
            address = to_checksum_address("0x" + str(document["address"]).removeprefix("0x"))
        except (UserInputError, KeyError, ValueError):
            continue
        out.append(KeystoreEntry(address=address, path=path))
    return out


def unlock(path: Path, password: str) -> LocalKeySigner:
    document = _read_document(path)
    try:
        key = Account.decrypt(document, password)
    except ValueError:
        raise UserInputError(f"{path}: wrong password (or a corrupt keystore)") from None
    return KeystoreSigner(Account.from_key(key), path)


class KeystoreSigner(LocalKeySigner):
    """A key decrypted from a JSON v3 keystore, held in memory for this run only."""

    kind = "keystore"

    def __init__(self, account: Any, path: Path) -> None:
        super().__init__(account)
        self.path = path


def read_password(
    *,
    env_name: str = "",
    prompt: str = "Keystore password: ",
    confirm: bool = False,
    getpass_fn: Callable[[str], str] = getpass.getpass,
) -> str:
    """From the env var named in the profile, else asked without echo (a TTY is required)."""
    if env_name:
        value = os.environ.get(env_name)
        if value:
            return value
    if not sys.stdin.isatty() and getpass_fn is getpass.getpass:
        hint = f" (set {env_name})" if env_name else " (name an env var with --password-env)"
        raise UserInputError(f"no terminal to ask for the keystore password{hint}")
    password = getpass_fn(prompt)
    if confirm and getpass_fn("Repeat password: ") != password:
        raise UserInputError("the two passwords differ")
    return password


def resolve_keystore(directory: Path, configured: str) -> Path:
    """The profile's ``signer.keystore_path`` (relative to ``directory``), or the only one."""
    if configured:
        path = Path(configured).expanduser()
        path = path if path.is_absolute() else directory / path
        if not path.is_file():
            raise UserInputError(f"keystore {path} not found (signer.keystore_path)")
        return path
    found = list_keystores(directory)
    if len(found) == 1:
        return found[0].path
    if not found:
        raise UserInputError(f"no keystore in {directory}: run `claudedex keys new` or `import`")
    raise UserInputError(
        f"{len(found)} keystores in {directory}: set signer.keystore_path in the profile"
    )
