"""Entry point of the ``claudedex`` command.

Each command group lives in its own module exposing ``register(app)``. Modules keep heavy
imports (web3, ML, Textual) inside their command functions so that ``claudedex --help``
starts fast. A group whose module has not landed yet gets a placeholder that says which
issue brings it, and exits 2 instead of pretending to work.
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

# command name -> (module, issue that brings it, one-line help)
MODULES: dict[str, tuple[str, int, str]] = {
    "run": ("cli.run_cmd", 9,
            "Open the operator console (TUI) with the engine; --headless for logs only."),
    "devnet": ("cli.devnet", 4, "Local chain + Uniswap V2 + token zoo + simulated market."),
    "scan": ("cli.scan", 5, "Judge tokens on a chain: one RiskReport JSON object per line."),
    "trade": ("cli.trade", 6, "Buy or sell headlessly through the same pipeline as the console."),
    "orders": ("cli.orders", 6, "List the order journal."),
    "backtest": ("cli.backtest", 7, "Replay history through the same strategy, risk and ML code."),
    "train": ("cli.train", 8, "Train the ML ensemble on devnet or recorded launches."),
    "db": ("cli.db", 3, "Database migrations and maintenance."),
    "keys": ("cli.keys", 6, "Create, import and list keystore signers."),
    "audit": ("cli.audit", 6, "Verify the hash-chained audit log."),
    "halt": ("cli.control", 3, "Emergency stop: persist HALTED for a profile; nothing is signed."),
    "resume": ("cli.control", 3, "Lift the emergency stop for a profile (asks for confirmation)."),
}


def _placeholder(name: str, issue: int, help_text: str) -> None:
    def not_built() -> None:
        typer.echo(f"error: '{name}' is not built yet; it arrives with issue #{issue}", err=True)
        raise typer.Exit(2)

    not_built.__doc__ = f"{help_text} (not built yet: issue #{issue})"
    app.command(name=name, help=not_built.__doc__)(not_built)


def _register_all() -> None:
    registered: set[str] = set()
    for name, (module_name, issue, help_text) in MODULES.items():
        if module_name in registered:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            _placeholder(name, issue, help_text)
            continue
        module.register(app)
        registered.add(module_name)


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
