"""Entry point of the ``claudedex`` command.

Each command group lives in its own module exposing ``register(app)``. Modules keep heavy
imports (web3, ML, Textual) inside their command functions so that ``claudedex --help``
starts fast.
"""

from __future__ import annotations

import gc
import importlib
import sys

import typer

from claudedex.errors import ClaudeDexError, UserInputError, sole_error

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
    "cli.api", "cli.secrets",
)


def _register_all() -> None:
    for module_name in MODULES:
        importlib.import_module(module_name).register(app)


_register_all()


def fail(exc: ClaudeDexError) -> None:
    """One line on stderr; exit 2 for the operator's input, 1 for any other fault."""
    typer.echo(f"error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, UserInputError) else 1)


def main() -> None:
    """Run the app; a :class:`UserInputError` becomes one line on stderr and exit 2, any
    other :class:`ClaudeDexError` (also wrapped by a TaskGroup) one line and exit 1.

    Typer's own usage errors (an unknown command or option, ``--limit abc``, a missing
    argument) are one line and exit 2 too, naming the command and pointing at its
    ``--help``, not Typer's boxed usage text (it runs with ``standalone_mode=False`` so
    that they reach this function: ``typer.Exit``'s code is then returned and used)."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:  # `claudedex trade` alone: its help, as Typer shows it
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "claudedex"
        message = " ".join(exc.format_message().split())
        typer.echo(f"error: {where}: {message} (see {where} --help)", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except ClickException as exc:
        typer.echo(f"error: {' '.join(exc.format_message().split())}", err=True)
        sys.exit(exc.exit_code)
    except ClaudeDexError as exc:
        fail(exc)
    except BaseExceptionGroup as group:
        err = sole_error(group)
        if err is None:
            raise  # a bug: its traceback stays visible
        fail(err)
    else:
        if isinstance(code, int) and not isinstance(code, bool) and code:
            sys.exit(code)  # typer.Exit(code) (and click's ctx.exit) under standalone_mode=False
    finally:
        # the process ends here: its last collection need not walk what the command built
        # (a backtest's heap: 0.1 s); everything is released with the process anyway
        gc.freeze()


if __name__ == "__main__":
    main()
