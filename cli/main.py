"""Entry point of the ``claudedex`` command.

Each command group lives in its own module exposing ``register(app)``. Modules keep heavy
imports (web3, ML, Textual) inside their command functions so that ``claudedex --help``
starts fast.
"""

from __future__ import annotations

import importlib
import sys

import typer

from claudedex.errors import ClaudeDexError, UserInputError

app = typer.Typer(
    name="claudedex",
    help="ClaudeDex: an operator-in-the-loop trading console for EVM DEXes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each command group's module; its ``register(app)`` adds the commands and their help.
MODULES: tuple[str, ...] = (
    "cli.run_cmd", "cli.devnet", "cli.scan", "cli.trade", "cli.orders", "cli.backtest",
    "cli.train", "cli.db", "cli.keys", "cli.audit", "cli.control",
)


def _register_all() -> None:
    for module_name in MODULES:
        importlib.import_module(module_name).register(app)


_register_all()


def main() -> None:
    """Run the app; a :class:`UserInputError` becomes one line on stderr and exit 2."""
    try:
        app()
    except UserInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except ClaudeDexError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
