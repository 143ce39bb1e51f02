"""``claudedex keys new|import|list``: keystore signers for a profile.

Why so careful: these commands handle private keys. Keys are read without echo (or from a
pipe), never printed or logged; passwords come from a no-echo prompt or an env var; files
are written atomically with mode 0600 and never overwritten.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

ProfileOpt = Annotated[str, typer.Option("--profile", "-p", help="Profile name or TOML path.")]
DirOpt = Annotated[
    Path | None, typer.Option("--dir", help="Keystore directory (default: <data dir>/keystores).")
]
PasswordEnvOpt = Annotated[
    str,
    typer.Option(
        "--password-env",
        help="Env var holding the password (default: the profile's signer.password_env).",
    ),
]


def _context(profile: str, directory: Path | None, password_env: str) -> tuple[Path, str]:
    from claudedex.config import load_profile
    from claudedex.paths import data_dir
    from claudedex.wallet.keystore import keystore_dir

    loaded = load_profile(profile)
    target = directory if directory is not None else keystore_dir(data_dir(loaded.name))
    return target, password_env or loaded.signer.password_env


def _read_private_key() -> bytes:
    import getpass

    from claudedex.errors import UserInputError
    from claudedex.wallet.keystore import parse_private_key

    if sys.stdin.isatty():
        text = getpass.getpass("Private key (hex, not echoed): ")
    else:
        text = sys.stdin.readline()
    if not text.strip():
        raise UserInputError("no private key given (type it at the prompt or pipe it on stdin)")
    return parse_private_key(text)


def new(
    profile: ProfileOpt = "devnet",
    directory: DirOpt = None,
    password_env: PasswordEnvOpt = "",
) -> None:
    """Create a new random key in an encrypted keystore and print its address."""
    from claudedex.wallet.keystore import check_password, new_keystore, read_password

    target, env_name = _context(profile, directory, password_env)
    password = check_password(read_password(env_name=env_name, confirm=True))
    entry = new_keystore(target, password)
    typer.echo(f"{entry.address}  {entry.path}")


def import_key(
    profile: ProfileOpt = "devnet",
    directory: DirOpt = None,
    password_env: PasswordEnvOpt = "",
) -> None:
    """Encrypt an existing private key (read without echo, or from stdin) into a keystore."""
    from claudedex.errors import UserInputError
    from claudedex.wallet.keystore import check_password, read_password, write_keystore

    target, env_name = _context(profile, directory, password_env)
    if not sys.stdin.isatty() and not (env_name and os.environ.get(env_name)):
        raise UserInputError("with the key on stdin, give the password via --password-env")
    key = _read_private_key()
    password = check_password(read_password(env_name=env_name, confirm=True))
    entry = write_keystore(target, key, password)
    typer.echo(f"{entry.address}  {entry.path}")


def list_keys(
    profile: ProfileOpt = "devnet",
    directory: DirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the keystores: address and file."""
    from claudedex.wallet.keystore import list_keystores

    target, _ = _context(profile, directory, "")
    entries = list_keystores(target)
    for entry in entries:
        if as_json:
            typer.echo(json.dumps({"address": entry.address, "path": str(entry.path)}))
        else:
            typer.echo(f"{entry.address}  {entry.path}")
    if not entries and not as_json:
        typer.echo(f"no keystores in {target}", err=True)


def register(app: typer.Typer) -> None:
    keys = typer.Typer(help="Create, import and list keystore signers.", no_args_is_help=True)
    keys.command("new")(new)
    keys.command("import")(import_key)
    keys.command("list")(list_keys)
    app.add_typer(keys, name="keys")
