"""The ``claudedex`` command line: a thin Typer face over the engine."""
