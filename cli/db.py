"""``claudedex db upgrade|current``: apply and inspect the packaged Alembic migrations."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

ProfileOpt = Annotated[str, typer.Option("--profile", "-p", help="Profile name or TOML path.")]
UrlOpt = Annotated[
    str, typer.Option("--url", help="Database URL (overrides the profile's storage settings).")
]


def _resolve_url(profile: str, url: str) -> str:
    from claudedex.config import load_profile
    from claudedex.storage.database import database_url_for, normalize_url

    if url:
        return normalize_url(url)
    return database_url_for(load_profile(profile))


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database migrations and maintenance.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade(profile: ProfileOpt = "devnet", url: UrlOpt = "") -> None:
        """Apply every pending migration (the engine also does this at start)."""
        from claudedex.storage.database import Database, redact

        target = _resolve_url(profile, url)

        async def run() -> str | None:
            db = Database(target)
            await db.open(migrate=False)
            try:
                return await db.upgrade()
            finally:
                await db.close()

        revision = asyncio.run(run())
        typer.echo(f"{redact(target)}: at revision {revision}")

    @db_app.command("current")
    def current(profile: ProfileOpt = "devnet", url: UrlOpt = "") -> None:
        """Print the database's revision and the newest one shipped with this version."""
        from claudedex.storage.database import Database, redact
        from claudedex.storage.migrate import head_revision

        target = _resolve_url(profile, url)

        async def run() -> str | None:
            db = Database(target)
            await db.open(migrate=False)
            try:
                return await db.revision()
            finally:
                await db.close()

        revision = asyncio.run(run())
        head = head_revision()
        state = "up to date" if revision == head else "needs `claudedex db upgrade`"
        typer.echo(f"{redact(target)}: current {revision or '(empty)'}, head {head} ({state})")

    app.add_typer(db_app, name="db")
