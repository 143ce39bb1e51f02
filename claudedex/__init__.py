"""ClaudeDex engine: everything that trades, with no user interface.

Faces (``tui/``, ``cli/``) drive :class:`claudedex.engine.Engine` through its async
commands and event stream; this package never imports Textual, Rich or Typer.
"""

__version__ = "0.1.0"
