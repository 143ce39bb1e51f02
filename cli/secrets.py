"""``claudedex secrets set|get|list|rotate``: the profile's encrypted secrets store.

The store lives in the profile's data dir (``secrets.enc``, 0600). Its key comes from a
passphrase (``CLAUDEDEX_SECRETS_PASSPHRASE``, else asked on the terminal; scrypt) or, with
``--keyring`` when the store is made or rotated, from the OS keyring. Profiles then name a
secret as ``"secret:NAME"``. Bad input: one line on stderr, exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from claudedex.secrets.store import SecretStore

NEW_PASSPHRASE_ENV = "CLAUDEDEX_SECRETS_NEW_PASSPHRASE"


def _data_dir(profile: str) -> Path:
    from claudedex.config import load_profile
    from claudedex.paths import data_dir

    return data_dir(load_profile(profile, resolve_secrets=False).name)


def _asker(env: str, prompt: str, *, confirm: bool) -> Callable[[], str]:
    """The passphrase from ``env``, else typed on the terminal (twice when ``confirm``)."""

    def ask() -> str:
        from claudedex.secrets.store import SecretsError

        value = os.environ.get(env, "")
        if value:
            return value
        if not sys.stdin.isatty():
            raise SecretsError(f"no passphrase: set {env} (or run on a terminal to be asked)")
        return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))

    return ask


def _open(profile: str, *, create: bool = False, keyring: bool = False) -> SecretStore:
    from claudedex.secrets.store import PASSPHRASE_ENV, open_store, store_path

    directory = _data_dir(profile)
    new = create and not store_path(directory).exists()
    ask = _asker(PASSPHRASE_ENV, "Secrets store passphrase", confirm=new)
    return open_store(directory, passphrase=ask, create=create, use_keyring=keyring)


def _read_value(name: str, from_stdin: bool) -> str:
    from claudedex.secrets.store import SecretsError

    if from_stdin:
        value = sys.stdin.read()
        return value[:-2] if value.endswith("\r\n") else value.removesuffix("\n")
    if not sys.stdin.isatty():
        raise SecretsError(f"secret {name!r}: no terminal to type it on; use --from-stdin")
    return str(typer.prompt(f"Value of {name}", hide_input=True, confirmation_prompt=True))


ProfileOpt = typer.Option("devnet", "--profile", "-p", help="Profile name or TOML path.")


def register(app: typer.Typer) -> None:
    secrets_app = typer.Typer(help="The encrypted secrets store (AES-256-GCM).",
                              no_args_is_help=True)

    @secrets_app.command("set")
    def set_(name: str = typer.Argument(..., help="Secret name (letters, digits, . _ -)."),
             from_stdin: bool = typer.Option(False, "--from-stdin",
                                             help="Read the value from stdin."),
             keyring: bool = typer.Option(False, "--keyring",
                                          help="A new store's key lives in the OS keyring."),
             profile: str = ProfileOpt) -> None:
        """Store a secret (asked twice on the terminal unless --from-stdin)."""
        from claudedex.secrets.store import SecretsError, check_name

        check_name(name)
        value = _read_value(name, from_stdin)
        store = _open(profile, create=True, keyring=keyring)
        if keyring and store.kdf_name != "keyring":
            raise SecretsError(f"{store.path} is keyed by a passphrase: move its key to the "
                               "OS keyring with `claudedex secrets rotate --keyring`")
        store.set(name, value)
        typer.echo(f"stored secret {name} in {store.path}")

    @secrets_app.command("get")
    def get(name: str = typer.Argument(...), profile: str = ProfileOpt) -> None:
        """Print a secret's value on stdout."""
        from claudedex.secrets.store import check_name

        check_name(name)
        typer.echo(_open(profile).get(name))

    @secrets_app.command("list")
    def list_(profile: str = ProfileOpt) -> None:
        """The names of the stored secrets (never their values)."""
        for name in _open(profile).names():
            typer.echo(name)

    @secrets_app.command("rotate")
    def rotate(keyring: bool = typer.Option(False, "--keyring",
                                            help="Move the key to the OS keyring."),
               profile: str = ProfileOpt) -> None:
        """Re-encrypt every secret under a new passphrase (CLAUDEDEX_SECRETS_NEW_PASSPHRASE
        or asked) or the OS keyring's key; the store file is replaced in one rename."""
        from claudedex.secrets.crypto import Kdf
        from claudedex.secrets.store import derive

        store = _open(profile)
        kdf = Kdf("keyring") if keyring else Kdf.fresh_scrypt()
        ask = _asker(NEW_PASSPHRASE_ENV, "New secrets store passphrase", confirm=True)
        count = store.rotate(kdf, derive(kdf, store.path, ask, create=True))
        typer.echo(f"re-encrypted {count} secrets in {store.path}")

    app.add_typer(secrets_app, name="secrets")
