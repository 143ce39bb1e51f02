"""``claudedex audit verify``: check the keyed, anchored audit log; exit 1 on tampering.

The key and the anchor live in the profile's data dir (``--key-dir`` names another one).
``--url`` alone verifies a database without them (unkeyed: hashes only), and says so.
Exit codes: 0 intact, 1 tampered or unverifiable, 2 bad input.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from claudedex.errors import UserInputError

if TYPE_CHECKING:
    from claudedex.security.audit import VerifyResult

ProfileOpt = Annotated[str, typer.Option(
    "--profile", "-p", help="Profile name or TOML path (default: devnet, unless --url is given).")]
UrlOpt = Annotated[
    str, typer.Option("--url", help="Database URL (overrides the profile's storage settings).")
]
KeyDirOpt = Annotated[Path | None, typer.Option(
    "--key-dir", help="Directory holding audit.key and audit.anchor (default: the profile's "
                      "data dir; with --url and no --profile, none: unkeyed check).")]


def describe(result: VerifyResult) -> str:
    """One line for one verification."""
    if not result.ok:
        where = f"audit row {result.first_bad_id}: " if result.first_bad_id is not None else ""
        hint = ""
        if result.mode == "unkeyed" and result.first_bad_id is not None \
                and "hash" in result.reason:
            hint = "; a keyed chain verifies only with its key (--profile or --key-dir)"
        return (f"TAMPERED ({result.mode}): {where}{result.reason} "
                f"({result.checked} rows before it verified){hint}")
    if result.mode == "unkeyed":
        why = f" ({result.note})" if result.note else ""
        return (f"OK (unkeyed{why}): {result.checked} audit entries, chain intact; without a "
                "key a deleted tail or a recomputed chain cannot be detected")
    extra = f", {result.legacy} legacy unkeyed rows before the key" if result.legacy else ""
    anchored = result.anchored if result.anchored is not None else 0
    pending = result.checked - anchored
    tail = f", {pending} appended since the anchor" if pending > 0 else ""
    return (f"OK (keyed): {result.checked} audit entries, chain intact, MACs and anchor "
            f"match ({anchored} anchored{tail}{extra})")


def _quiet_logs() -> None:
    """Stdout holds the result line only; warnings and errors go to stderr."""
    import logging

    import structlog

    from claudedex.observability.logging import stderr_logger

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
                        logger_factory=stderr_logger)


def _require_sqlite_file(url: str) -> None:
    """A SQLite URL must name an existing file: opening one would create it empty."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:" \
            and not path.startswith("file:") and not Path(path).exists():
        raise UserInputError(f"no database at {path}: nothing to verify")


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="Verify the keyed, anchored audit log.", no_args_is_help=True)

    @audit_app.command("verify")
    def verify(profile: ProfileOpt = "", url: UrlOpt = "", key_dir: KeyDirOpt = None) -> None:
        """Walk the audit chain; print OK, or what is broken and exit 1."""
        from sqlalchemy.exc import SQLAlchemyError

        from claudedex.config import load_profile
        from claudedex.errors import StorageError
        from claudedex.paths import data_dir
        from claudedex.security.audit import AuditLog
        from claudedex.storage.database import Database, database_url_for, normalize_url, redact

        if key_dir is not None and not key_dir.expanduser().is_dir():
            raise UserInputError(f"--key-dir {key_dir}: no such directory")
        if url:
            target = normalize_url(url)
            loaded = load_profile(profile) if profile else None
        else:
            loaded = load_profile(profile or "devnet")
            target = database_url_for(loaded)
        keys = key_dir.expanduser() if key_dir is not None else (
            data_dir(loaded.name) if loaded is not None else None)

        _quiet_logs()
        _require_sqlite_file(target)

        async def run() -> VerifyResult:
            db = Database(target)
            await db.open(migrate=False)  # verifying never changes the database
            try:
                if await db.revision() is None:
                    raise UserInputError(f"{redact(target)} holds no ClaudeDex schema: "
                                         "nothing to verify")
                try:
                    return await AuditLog(db, key_dir=keys).verify_detail()
                except (SQLAlchemyError, OSError) as exc:
                    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                    raise StorageError(f"cannot read the audit log of {redact(target)}: "
                                       f"{detail}") from None
            finally:
                await db.close()

        result = asyncio.run(run())
        typer.echo(describe(result))
        if not result.ok:
            sys.exit(1)  # typer.Exit would be swallowed by main()'s standalone_mode=False

    app.add_typer(audit_app, name="audit")
