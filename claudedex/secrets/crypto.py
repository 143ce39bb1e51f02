"""The store's cryptography: scrypt turns a passphrase into a 256-bit key; AES-256-GCM
seals each value under a fresh random 96-bit nonce with the secret's name as associated
data.

Why the name as associated data: a ciphertext moved to another name (the JWT key's sealed
value copied over the audit key's) fails authentication instead of decrypting to the
wrong secret. Why scrypt: a stolen store file costs an attacker memory-hard work per
passphrase guess (N=2**15, r=8: 32 MiB each), not a hash per guess.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from claudedex.errors import ClaudeDexError

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits: GCM's native nonce size
SALT_BYTES = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_AD_PREFIX = b"claudedex-secret-v1:"


class SealError(ClaudeDexError):
    """A sealed value failed authentication: wrong key, or edited or moved ciphertext."""


@dataclass(frozen=True, slots=True)
class Kdf:
    """How the store's key is made: ``scrypt`` (salt and cost) or ``keyring`` (no params)."""

    name: str
    salt: bytes = b""
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def fresh_scrypt(cls) -> Kdf:
        return cls("scrypt", os.urandom(SALT_BYTES))

    def to_json(self) -> dict[str, Any]:
        if self.name != "scrypt":
            return {"name": self.name}
        return {"name": "scrypt", "salt": self.salt.hex(), "n": self.n, "r": self.r,
                "p": self.p}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Kdf:
        """Raises ValueError (or KeyError/TypeError) on a malformed description."""
        name = str(data["name"])
        if name == "keyring":
            return cls("keyring")
        if name != "scrypt":
            raise ValueError(f"unknown key derivation {name!r}")
        n, r, p = int(data["n"]), int(data["r"]), int(data["p"])
        if n < 2**14 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
            raise ValueError("scrypt parameters out of range")
        return cls("scrypt", bytes.fromhex(str(data["salt"])), n, r, p)


@dataclass(frozen=True, slots=True)
class StoreKey:
    """The 256-bit AES key; ``repr`` never shows it."""

    raw: bytes = field(repr=False)

    @classmethod
    def from_passphrase(cls, passphrase: str, kdf: Kdf) -> StoreKey:
        if not passphrase:
            raise ClaudeDexError("an empty passphrase cannot protect the secrets store")
        raw = Scrypt(salt=kdf.salt, length=KEY_BYTES, n=kdf.n, r=kdf.r,
                     p=kdf.p).derive(passphrase.encode("utf-8"))
        return cls(raw)

    def seal(self, name: str, value: bytes) -> dict[str, str]:
        """``{"nonce": hex, "ct": hex}``: ``value`` encrypted and bound to ``name``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.raw).encrypt(nonce, value, _AD_PREFIX + name.encode("utf-8"))
        return {"nonce": nonce.hex(), "ct": sealed.hex()}

    def open(self, name: str, box: dict[str, Any]) -> bytes:
        """The value sealed under ``name``; raises :class:`SealError` when it fails."""
        try:
            nonce, sealed = bytes.fromhex(str(box["nonce"])), bytes.fromhex(str(box["ct"]))
            if len(nonce) != NONCE_BYTES:
                raise ValueError("bad nonce")
            return AESGCM(self.raw).decrypt(nonce, sealed, _AD_PREFIX + name.encode("utf-8"))
        except (InvalidTag, ValueError, KeyError, TypeError):
            raise SealError(f"secret {name!r} does not decrypt (wrong passphrase or key, or "
                            "the store was edited)") from None
