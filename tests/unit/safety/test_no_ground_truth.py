"""The safety checks must never read the devnet's ground truth (labels, zoo registry)."""

from __future__ import annotations

import ast
from pathlib import Path

import claudedex.safety

SAFETY = Path(claudedex.safety.__file__).parent


def test_safety_modules_never_import_devnet() -> None:
    for path in SAFETY.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("claudedex.devnet"), f"{path.name} imports {name}"
        assert "labels" not in path.read_text(encoding="utf-8").lower(), path.name
