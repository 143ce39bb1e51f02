"""Typer's own usage errors follow the CLI's rule: one line on stderr, exit 2.

Red team: `orders --limit abc`, `trade frob`, a missing `--token` printed Typer's boxed
usage text (five or six lines). ``main()`` now names the command, the problem and its
``--help`` in one line; help itself and a command's own exit codes are unchanged.
"""

from __future__ import annotations

import pytest

from tests.unit.core.cli_run import claudedex


@pytest.mark.parametrize(("args", "says"), [
    (("orders", "--limit", "abc"), "claudedex orders: Invalid value for '--limit'"),
    (("orders", "--limit", "-1"), "Invalid value for '--limit'"),
    (("trade", "frob"), "claudedex trade: No such command 'frob'"),
    (("frobnicate",), "claudedex: No such command 'frobnicate'"),
    (("trade", "buy"), "claudedex trade buy: Missing option '--token'"),
    (("backtest", "--trials", "abc", "--data", "x"), "Invalid value for '--trials'"),
    (("audit", "verify", "--nope"), "No such option: --nope"),
])
def test_a_usage_error_is_one_line_and_exit_2(args: tuple[str, ...], says: str) -> None:
    line = claudedex(*args).one_line(2, says, "--help")
    assert "╭" not in line and "Usage:" not in line


def test_help_is_still_help() -> None:
    done = claudedex("orders", "--help")
    assert done.code == 0 and "--limit" in done.stdout and done.stderr == ""
    alone = claudedex("trade")  # a group without its command: its help, as before
    assert alone.code == 2 and "buy" in alone.stdout
