"""The devnet model shipped with the package loads (checksums, feature set) and is used only
on the devnet; paper and live profiles never fall back to it."""

from __future__ import annotations

from pathlib import Path

from claudedex.builder import BUNDLED_MODELS, model_registry
from claudedex.config import load_profile
from claudedex.ml.registry import latest, load


def test_bundled_model_verifies_and_loads() -> None:
    version = latest(BUNDLED_MODELS)
    assert version is not None
    loaded = load(version)  # refuses a tampered file or a changed feature set
    assert loaded is not None


def test_only_the_devnet_falls_back_to_the_bundled_model(tmp_path: Path) -> None:
    assert model_registry(load_profile("devnet"), tmp_path / "d") == BUNDLED_MODELS
    paper = load_profile("paper-ethereum")
    assert model_registry(paper, tmp_path / "p") == tmp_path / "p" / "models"
