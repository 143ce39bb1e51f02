"""A stand-in trial runner for the search tests: module level (picklable), light imports.

Spawned workers import it by name, so it pulls in nothing heavier than the standard
library: the test measures the search's scheduling, not a backtest.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def quadratic(data: Path, params: Mapping[str, int | float]) -> dict[str, Any]:
    """Best at x = 3; ``trades`` echoes x so the out-of-sample call can be recognised."""
    return {"sharpe": -(params["x"] - 3) ** 2, "trades": params["x"]}
