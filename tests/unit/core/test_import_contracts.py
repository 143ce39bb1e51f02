"""The layer rules hold: the import-linter contracts in pyproject.toml are all kept.

The contracts: the engine (``claudedex``) never imports Textual, Rich, Typer or Click;
strategy, risk and portfolio never import execution, wallet or chain clients; safety never
imports the devnet; storage never imports security (security sits above it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept() -> None:
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} missing: pip install -e '.[dev]'"
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout
