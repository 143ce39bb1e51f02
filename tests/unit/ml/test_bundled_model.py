"""The devnet model shipped with the package loads (checksums, feature set) and is used only
on the devnet; paper and live profiles never fall back to it."""

from __future__ import annotations

from pathlib import Path

from claudedex.config import load_profile
from claudedex.engine import Engine
from claudedex.ml.registry import latest, load
from claudedex.wiring import BUNDLED_MODELS, _model_registry


def test_bundled_model_verifies_and_loads() -> None:
    version = latest(BUNDLED_MODELS)
    assert version is not None
    loaded = load(version)  # refuses a tampered file or a changed feature set
    assert loaded is not None


def test_only_the_devnet_falls_back_to_the_bundled_model(tmp_path: Path) -> None:
    devnet = Engine(load_profile("devnet"), data_dir=tmp_path / "d", wire=False)
    assert _model_registry(devnet) == BUNDLED_MODELS
    paper = Engine(load_profile("paper-ethereum"), data_dir=tmp_path / "p", wire=False)
    assert _model_registry(paper) == tmp_path / "p" / "models"
