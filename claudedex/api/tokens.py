"""Signed tokens (JWT, HS256 with a 256-bit key from the secrets store).

Why HS256 with a stored key: the engine both issues (``claudedex api token``) and checks
tokens, so a shared secret is enough, and it lives encrypted in the store, never in the
profile. Each token carries its role, an expiry, the profile it is for (``aud``) and a
random id (``jti``) that names the caller in the audit log and in the revocation list.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from claudedex.api.roles import ROLES
from claudedex.errors import ClaudeDexError, UserInputError

ALGORITHM = "HS256"
ISSUER = "claudedex"
KEY_BYTES = 32
MAX_TTL_S = 366 * 24 * 3600
MAX_TOKEN = 4096  # characters; ours are about 300
MAX_HEADER_BRACKETS = 4  # ours is one flat object


class TokenError(ClaudeDexError):
    """A token is missing, malformed, forged, expired, for another profile, or revoked."""


@dataclass(frozen=True, slots=True)
class Claims:
    """What a verified token says: its id, role, and issue/expiry times (unix seconds)."""

    jti: str
    role: str
    iat: int
    exp: int


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    """Issues and verifies tokens for one profile (``audience``) with one key."""

    key: bytes = field(repr=False)
    audience: str

    def __post_init__(self) -> None:
        if len(self.key) < KEY_BYTES:
            raise TokenError(f"the token key must be at least {KEY_BYTES} bytes")

    def issue(self, role: str, ttl_s: int, now: float | None = None) -> tuple[str, Claims]:
        """A new token for ``role`` valid ``ttl_s`` seconds; raises UserInputError."""
        if role not in ROLES:
            raise UserInputError(f"--role {role!r}: choose one of {', '.join(ROLES)}")
        if not 1 <= ttl_s <= MAX_TTL_S:
            raise UserInputError(f"--ttl {ttl_s}: between 1 and {MAX_TTL_S} seconds")
        iat = int(now if now is not None else time.time())
        claims = Claims(secrets.token_hex(16), role, iat, iat + ttl_s)
        payload = {"jti": claims.jti, "role": role, "iat": iat, "exp": claims.exp,
                   "iss": ISSUER, "aud": self.audience}
        return jwt.encode(payload, self.key, algorithm=ALGORITHM), claims

    def verify(self, token: str) -> Claims:
        """The token's claims; raises :class:`TokenError` saying why it is refused."""
        _check_header(token)
        try:
            data: dict[str, Any] = jwt.decode(
                token, self.key, algorithms=[ALGORITHM], audience=self.audience,
                issuer=ISSUER, options={"require": ["exp", "iat", "jti", "aud", "iss"]})
        except jwt.ExpiredSignatureError:
            raise TokenError("token expired") from None
        except jwt.InvalidTokenError as exc:
            raise TokenError(f"invalid token ({type(exc).__name__})") from None
        role, jti = data.get("role"), data.get("jti")
        if role not in ROLES or not isinstance(jti, str) or not jti:
            raise TokenError("invalid token (role or id)")
        iat, exp = data["iat"], data["exp"]
        if (type(iat) is not int or type(exp) is not int  # noqa: E721 - bool, str, float out
                or not 1 <= exp - iat <= MAX_TTL_S):
            # PyJWT takes "123" and 1e308 for times; we issue whole seconds within MAX_TTL_S
            raise TokenError("invalid token (times)")
        return Claims(jti, str(role), iat, exp)


def _check_header(token: str) -> None:
    """Refuse an oversized token or a nested header before any JSON parser sees it.

    PyJWT parses the (unauthenticated) header before it checks the signature; json's C
    scanner recurses per nesting level, and deep enough nesting can overflow the C stack.
    """
    if len(token) > MAX_TOKEN:
        raise TokenError("invalid token (too long)")
    head = token.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
    except (ValueError, binascii.Error):
        raise TokenError("invalid token (header)") from None
    if raw.count(b"{") + raw.count(b"[") > MAX_HEADER_BRACKETS:
        raise TokenError("invalid token (header)")


def signing_key(data_dir: Path, secret_name: str, *, create: bool) -> bytes:
    """The token key from the secrets store in ``data_dir`` (hex text under
    ``secret_name``); a fresh random key is stored when ``create`` and none exists.
    Raises SecretsError (locked, missing) or TokenError (not a 256-bit hex key)."""
    from claudedex.secrets.resolve import remember
    from claudedex.secrets.store import check_name, open_store

    store = open_store(data_dir, create=create)
    if not store.has(check_name(secret_name)):
        if not create:
            from claudedex.secrets.store import SecretsError

            raise SecretsError(f"no token key {secret_name!r} in {store.path}: issue a "
                               "token with `claudedex api token` first")
        store.set(secret_name, secrets.token_hex(KEY_BYTES))
    text = remember(store.get(secret_name)).strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < KEY_BYTES:
        raise TokenError(f"secret {secret_name!r} is not a {KEY_BYTES}-byte hex key")
    return key
