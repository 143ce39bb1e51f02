"""Tokens: signed, expiring, per profile, with a role and an id; roles and limits as a table."""

from __future__ import annotations

import time

import jwt
import pytest

from claudedex.api.limits import TokenLimits
from claudedex.api.roles import GRANTS, ROLES, allowed
from claudedex.api.routes import ROUTES
from claudedex.api.tokens import ALGORITHM, TokenError, TokenIssuer
from claudedex.errors import UserInputError

KEY = bytes(range(32))


def test_issue_and_verify() -> None:
    issuer = TokenIssuer(KEY, "devnet")
    token, claims = issuer.issue("operator", 60)
    got = issuer.verify(token)
    assert got == claims and got.role == "operator" and len(got.jti) == 32
    assert got.exp - got.iat == 60
    _, other = issuer.issue("operator", 60)
    assert other.jti != claims.jti  # each token its own id


@pytest.mark.parametrize("why", ["expired", "forged", "other-profile", "no-role", "alg-none"])
def test_refused_tokens(why: str) -> None:
    issuer = TokenIssuer(KEY, "devnet")
    now = int(time.time())
    if why == "expired":
        token, _ = issuer.issue("admin", 10, now=now - 3600)
    elif why == "forged":
        token, _ = TokenIssuer(bytes(32), "devnet").issue("admin", 60)
    elif why == "other-profile":
        token, _ = TokenIssuer(KEY, "live-eth").issue("admin", 60)
    elif why == "no-role":
        token = jwt.encode({"jti": "x", "iat": now, "exp": now + 60, "iss": "claudedex",
                            "aud": "devnet", "role": "root"}, KEY, algorithm=ALGORITHM)
    else:
        token = jwt.encode({"jti": "x", "iat": now, "exp": now + 60, "iss": "claudedex",
                            "aud": "devnet", "role": "admin"}, None, algorithm="none")
    with pytest.raises(TokenError):
        issuer.verify(token)


def test_bad_role_and_ttl_and_short_key() -> None:
    issuer = TokenIssuer(KEY, "devnet")
    with pytest.raises(UserInputError, match="--role"):
        issuer.issue("superuser", 60)
    with pytest.raises(UserInputError, match="--ttl"):
        issuer.issue("viewer", 0)
    with pytest.raises(TokenError):
        TokenIssuer(b"short", "devnet")


def test_roles_table() -> None:
    assert set(GRANTS) == set(ROLES)
    assert allowed("operator", "halt") and allowed("operator", "status")
    assert not allowed("viewer", "halt") and allowed("viewer", "positions")
    assert allowed("auditor", "audit_verify") and not allowed("auditor", "status")
    assert not allowed("operator", "token") and allowed("admin", "token")
    assert not allowed("nobody", "status")
    assert {r.action for r in ROUTES} <= GRANTS["admin"]  # admin: everything


async def test_limits_refuse_past_the_rate_with_a_retry_after() -> None:
    limits = TokenLimits(3)
    assert [await limits.take("a") for _ in range(3)] == [None, None, None]
    assert await limits.take("a") == 20  # 60 s / 3 per minute
    assert await limits.take("b") is None  # another token has its own bucket


@pytest.mark.parametrize("times", [
    {"exp": "EXP"}, {"iat": "IAT"}, {"exp": 10**30}, {"exp": 1e12}, {"iat": -10**30}])
def test_signed_tokens_with_odd_times_are_refused(times: dict[str, object]) -> None:
    # PyJWT accepts "123" and floats for exp/iat; ours are whole seconds within MAX_TTL_S
    now = int(time.time())
    payload: dict[str, object] = {"jti": "a" * 32, "role": "viewer", "iat": now,
                                  "exp": now + 60, "iss": "claudedex", "aud": "devnet"}
    for name, value in times.items():
        payload[name] = {"EXP": str(now + 60), "IAT": str(now)}.get(str(value), value)
    token = jwt.encode(payload, KEY, algorithm=ALGORITHM)
    with pytest.raises(TokenError, match="times"):
        TokenIssuer(KEY, "devnet").verify(token)
