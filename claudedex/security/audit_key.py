"""The audit chain's key and its tip anchor, both kept outside the database.

Why a key: an unkeyed hash chain only proves that rows agree with each other; whoever can
write the table can edit a row and recompute every hash after it. With an HMAC-SHA256 key
that lives in the profile's data dir (``audit.key``, 0600 in a 0700 dir, never printed or
logged) a database-only attacker cannot produce a row that verifies.

Why an anchor: a MAC cannot show that rows are *missing*. ``audit.anchor`` records how many
rows the chain had and the MAC of its head, rewritten (atomically, 0600) after every append.
Deleting rows at the tail, or all of them, leaves the table shorter than the anchor; a
chain rewritten from any row on no longer reaches the anchored head. The anchor carries a
MAC of its own, so it cannot be edited without the key either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from claudedex.errors import StorageError
from claudedex.security.files import (
    create_private_exclusive,
    private_dir,
    tighten,
    write_private_atomic,
)

KEY_FILE = "audit.key"
ANCHOR_FILE = "audit.anchor"
_KEY_BYTES = 32
_ROW_DOMAIN = b"claudedex-audit-row-v1\n"
_ANCHOR_DOMAIN = b"claudedex-audit-anchor-v1\n"
_ID_DOMAIN = b"claudedex-audit-key-id-v1"


class AuditKeyError(StorageError):
    """The audit key or anchor file exists but cannot be read or is malformed or forged."""


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The chain's HMAC key; ``repr`` never shows the secret."""

    secret: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        """A fingerprint that names the key without revealing it (to match the anchor)."""
        return hmac.new(self.secret, _ID_DOMAIN, hashlib.sha256).hexdigest()[:16]

    def mac(self, prev_hash: str, body: str) -> str:
        """HMAC-SHA256 of the previous row's MAC followed by this row's canonical JSON."""
        message = _ROW_DOMAIN + (prev_hash + body).encode("utf-8")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def seal(self, payload: str) -> str:
        return hmac.new(self.secret, _ANCHOR_DOMAIN + payload.encode("utf-8"),
                        hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """The chain's tip as last appended: ``count`` rows, the last one's MAC ``head``."""

    count: int
    head: str
    key_id: str

    def payload(self) -> str:
        return json.dumps({"count": self.count, "head": self.head, "key_id": self.key_id},
                          sort_keys=True, separators=(",", ":"))


def key_path(key_dir: Path) -> Path:
    return key_dir / KEY_FILE


# key dirs whose key comes from the secrets store (profile ``secrets.audit_key_secret``)
_from_store: dict[Path, AuditKey] = {}


def use_stored_key(key_dir: Path, secret_hex: str) -> AuditKey:
    """Make ``secret_hex`` (64 hex digits, from the encrypted secrets store) the audit key
    of ``key_dir`` for this process, instead of the ``audit.key`` file; no file is written.
    Raises AuditKeyError when it is not a 32-byte hex key."""
    try:
        secret = bytes.fromhex(secret_hex.strip())
    except ValueError:
        secret = b""
    if len(secret) != _KEY_BYTES:
        raise AuditKeyError(f"the audit key from the secrets store is malformed (expected "
                            f"{_KEY_BYTES} hex bytes)")
    key = AuditKey(secret)
    _from_store[key_dir.resolve()] = key
    return key


def _stored(key_dir: Path) -> AuditKey | None:
    return _from_store.get(key_dir.resolve()) if _from_store else None


def anchor_path(key_dir: Path) -> Path:
    return key_dir / ANCHOR_FILE


def read_key(key_dir: Path) -> AuditKey | None:
    """The key in ``key_dir`` (or the stored one :func:`use_stored_key` set for it); None
    when there is none yet; AuditKeyError when unusable."""
    stored = _stored(key_dir)
    if stored is not None:
        return stored
    path = key_path(key_dir)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"audit key {path} unreadable ({type(exc).__name__})") from None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != _KEY_BYTES:
        raise AuditKeyError(f"audit key {path} is malformed (expected {_KEY_BYTES} hex bytes)")
    return AuditKey(secret)


def load_or_create_key(key_dir: Path) -> tuple[AuditKey, bool]:
    """The key in ``key_dir``, created (0600, dir 0700) when missing; True when created now."""
    try:
        private_dir(key_dir)
        stored = _stored(key_dir)
        if stored is not None:
            return stored, False
        existing = read_key(key_dir)
        if existing is not None:
            tighten(key_path(key_dir))
            return existing, False
        fresh = secrets.token_bytes(_KEY_BYTES)
        created = create_private_exclusive(key_path(key_dir), (fresh.hex() + "\n").encode())
    except OSError as exc:
        raise AuditKeyError(f"audit key in {key_dir}: {exc.strerror or exc}") from None
    if created:
        return AuditKey(fresh), True
    raced = read_key(key_dir)  # another writer created it between our read and our link
    if raced is None:
        raise AuditKeyError(f"audit key {key_path(key_dir)} vanished while being created")
    return raced, False


def read_anchor_bytes(key_dir: Path) -> bytes | None:
    """The anchor file's raw bytes (None when absent); parsed later, once the key is read."""
    try:
        return anchor_path(key_dir).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyError(f"audit anchor {anchor_path(key_dir)} unreadable "
                            f"({exc.strerror or exc})") from None


def parse_anchor(raw: bytes, key: AuditKey, where: Path) -> Anchor:
    """The anchor in ``raw``, checked against ``key``'s seal; AuditKeyError when bad."""
    try:
        data = json.loads(raw.decode("utf-8"))
        anchor = Anchor(int(data["count"]), str(data["head"]), str(data["key_id"]))
        seal = str(data["mac"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise AuditKeyError(f"audit anchor {where} is malformed") from None
    if anchor.key_id != key.key_id:
        raise AuditKeyError(f"audit anchor {where} was written with another key "
                            f"(anchor key id {anchor.key_id}, audit.key id {key.key_id})")
    if not hmac.compare_digest(seal, key.seal(anchor.payload())) or anchor.count < 0:
        raise AuditKeyError(f"audit anchor {where} fails its MAC (edited without the key)")
    return anchor


def read_anchor(key_dir: Path, key: AuditKey) -> Anchor | None:
    raw = read_anchor_bytes(key_dir)
    return None if raw is None else parse_anchor(raw, key, anchor_path(key_dir))


def _anchor_bytes(key: AuditKey, anchor: Anchor) -> bytes:
    data = {"count": anchor.count, "head": anchor.head, "key_id": anchor.key_id,
            "mac": key.seal(anchor.payload())}
    return (json.dumps(data, sort_keys=True) + "\n").encode("utf-8")


def create_anchor(key_dir: Path, key: AuditKey, anchor: Anchor) -> bool:
    """Write the first anchor unless one exists; True when this call wrote it."""
    try:
        return create_private_exclusive(anchor_path(key_dir), _anchor_bytes(key, anchor))
    except OSError as exc:
        raise AuditKeyError(f"audit anchor in {key_dir}: {exc.strerror or exc}") from None


def advance_anchor(key_dir: Path, key: AuditKey, anchor: Anchor) -> bool:
    """Replace the anchor with ``anchor`` unless the current one is already as far along.

    Synchronous on purpose: nothing else in this event loop runs between the re-read and the
    rename, so two appenders in one process can never move the anchor backwards.
    """
    current = read_anchor(key_dir, key)
    if current is not None and current.count >= anchor.count:
        return False
    try:
        write_private_atomic(anchor_path(key_dir), _anchor_bytes(key, anchor))
    except OSError as exc:
        raise AuditKeyError(f"audit anchor in {key_dir}: {exc.strerror or exc}") from None
    return True
