"""``claudedex api token|revoke|openapi``: tokens for the control API, and its description.

The API itself runs inside the engine (``claudedex run`` with ``[api] enabled = true`` in
the profile). A token is printed on stdout, its id and expiry on stderr; the signing key
is the secret ``api.jwt_key_secret`` of the profile's secrets store (made on first use).
Bad input (an unknown role, a ttl that is not a whole number of seconds): one line, exit 2.
"""

from __future__ import annotations

import json

import typer

ProfileOpt = typer.Option("devnet", "--profile", "-p", help="Profile name or TOML path.")


def _ttl(text: str) -> int:
    from claudedex.api.tokens import MAX_TTL_S
    from claudedex.errors import UserInputError

    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_TTL_S:
        raise UserInputError(f"--ttl {text!r}: a whole number of seconds, 1 to {MAX_TTL_S}")
    return int(text)


def register(app: typer.Typer) -> None:
    api_app = typer.Typer(help="The control API: tokens (JWT) and its OpenAPI description.",
                          no_args_is_help=True)

    @api_app.command("token")
    def token(role: str = typer.Option(..., "--role",
                                       help="admin, operator, viewer or auditor."),
              ttl: str = typer.Option("3600", "--ttl", help="Validity in seconds."),
              profile: str = ProfileOpt) -> None:
        """Issue a token and print it (its id and expiry go to stderr)."""
        from datetime import UTC, datetime

        from claudedex.api.roles import ROLES
        from claudedex.api.tokens import TokenIssuer, signing_key
        from claudedex.config import load_profile
        from claudedex.errors import UserInputError
        from claudedex.paths import data_dir

        if role not in ROLES:
            raise UserInputError(f"--role {role!r}: choose one of {', '.join(ROLES)}")
        seconds = _ttl(ttl)
        prof = load_profile(profile, resolve_secrets=False)
        key = signing_key(data_dir(prof.name), prof.api.jwt_key_secret, create=True)
        text, claims = TokenIssuer(key, prof.name).issue(role, seconds)
        expires = datetime.fromtimestamp(claims.exp, UTC).isoformat()
        typer.echo(text)
        typer.echo(f"token id {claims.jti}, role {role}, expires {expires}", err=True)

    @api_app.command("revoke")
    def revoke(jti: str = typer.Argument(..., help="The token id (printed when issued)."),
               profile: str = ProfileOpt) -> None:
        """Refuse a token before its expiry (a running API sees it on the next request)."""
        from claudedex.api.revoked import RevocationList
        from claudedex.config import load_profile
        from claudedex.errors import UserInputError
        from claudedex.paths import data_dir

        if len(jti) != 32 or not all(c in "0123456789abcdef" for c in jti):
            raise UserInputError(f"token id {jti[:70]!r} is not a token id: 32 lowercase hex "
                                 f"digits, printed when the token was issued")
        prof = load_profile(profile, resolve_secrets=False)
        RevocationList(data_dir(prof.name)).revoke(jti)
        typer.echo(f"revoked token {jti}")

    @api_app.command("openapi")
    def openapi_() -> None:
        """Print the API's OpenAPI 3 description (the same as GET /openapi.json)."""
        from claudedex.api.routes import openapi

        typer.echo(json.dumps(openapi(), indent=1, sort_keys=True))

    app.add_typer(api_app, name="api")
