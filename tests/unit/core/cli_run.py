"""Run the real ``claudedex`` entry point (``cli.main.main``) in-process.

Why not ``CliRunner.invoke``: it calls the Typer app, not ``main()``, whose error handling
(one line, exit 2 or 1) is what these tests check. ``CliRunner.isolation`` still supplies
stdin and captures stdout and stderr apart.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from typer.testing import CliRunner


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """The non-blank lines on stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]

    def one_line(self, code: int, *needles: str) -> str:
        """Assert the rule: exit ``code``, ONE line on stderr holding every needle."""
        assert self.code == code, (self.code, self.stderr)
        assert "Traceback" not in self.stderr, self.stderr
        assert len(self.lines) == 1, self.stderr
        for needle in needles:
            assert needle in self.lines[0], (needle, self.lines[0])
        return self.lines[0]


def claudedex(*args: str, input: str | None = None) -> Outcome:
    from cli.main import main

    runner = CliRunner()
    argv = sys.argv
    with runner.isolation(input=input) as (out, err, _):
        sys.argv = ["claudedex", *args]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = argv
        return Outcome(code, out.getvalue().decode(), err.getvalue().decode())
