"""``claudedex audit verify``: check the hash-chained audit log; exit 1 on tampering."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

ProfileOpt = Annotated[str, typer.Option("--profile", "-p", help="Profile name or TOML path.")]
UrlOpt = Annotated[
    str, typer.Option("--url", help="Database URL (overrides the profile's storage settings).")
]


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="Verify the hash-chained audit log.", no_args_is_help=True)

    @audit_app.command("verify")
    def verify(profile: ProfileOpt = "devnet", url: UrlOpt = "") -> None:
        """Walk the audit chain; print OK, or the first broken row and exit 1."""
        from claudedex.config import load_profile
        from claudedex.security.audit import AuditLog, VerifyResult
        from claudedex.storage.database import Database, database_url_for, normalize_url

        target = normalize_url(url) if url else database_url_for(load_profile(profile))

        async def run() -> VerifyResult:
            async with Database(target) as db:
                return await AuditLog(db).verify_detail()

        result = asyncio.run(run())
        if result.ok:
            typer.echo(f"OK: {result.checked} audit entries, chain intact")
            return
        typer.echo(
            f"TAMPERED: audit row {result.first_bad_id}: {result.reason} "
            f"({result.checked} rows before it verified)"
        )
        sys.exit(1)  # typer.Exit would be swallowed by main()'s standalone_mode=False

    app.add_typer(audit_app, name="audit")
