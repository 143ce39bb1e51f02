"""The safety checks must never read the devnet's ground truth (labels, zoo registry).

That no safety module imports ``claudedex.devnet`` (directly or through another module) is
an import-linter contract (pyproject.toml, run by tests/unit/core/test_import_contracts.py);
this test checks the one thing a contract cannot see: no safety module mentions the labels.
"""

from __future__ import annotations

from pathlib import Path

import claudedex.safety

SAFETY = Path(claudedex.safety.__file__).parent


def test_safety_modules_never_mention_the_labels() -> None:
    for path in SAFETY.rglob("*.py"):
        assert "labels" not in path.read_text(encoding="utf-8").lower(), path.name
