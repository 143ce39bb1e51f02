"""Train on recorded devnet launches, save, reload, and refuse tampered or foreign models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from claudedex.ml import dataset, registry
from claudedex.ml.registry import ModelRefused
from claudedex.ml.serve import Scorer
from claudedex.ml.training import TrainResult, train

FIXTURE = Path(__file__).parent / "fixtures" / "launches.jsonl"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainResult, Path]:
    tmp = tmp_path_factory.mktemp("model")
    result = train(dataset.load(FIXTURE), seed=1, keras_path=tmp / "lstm.keras")
    path = registry.save(tmp / "registry", result.ensemble, metrics=result.metrics,
                         data_range=result.data_range, keras_path=result.keras_path)
    return result, path


def test_metrics_are_measured_on_held_out_launches(trained: tuple[TrainResult, Path]) -> None:
    m = trained[0].metrics
    assert m["test"]["n"] > 0 and m["test"]["tp"] + m["test"]["fn"] > 0
    assert 0.0 <= m["test"]["auc"] <= 1.0
    assert set(m["per_family"]) and all("n" in row for row in m["per_family"].values())
    assert trained[0].data_range["test_from_block"] > 0


def test_reloaded_model_predicts_the_same(trained: tuple[TrainResult, Path]) -> None:
    result, path = trained
    x, s, _, _ = dataset.arrays(dataset.load(FIXTURE))
    before = result.ensemble.predict(x, s)
    after = registry.load(path.parent).ensemble.predict(x, s)  # LATEST of the registry
    np.testing.assert_allclose(after[0], before[0], atol=1e-9)
    np.testing.assert_allclose(after[1], before[1], atol=1e-6)


def test_metadata_records_hash_metrics_range_and_checksums(
    trained: tuple[TrainResult, Path],
) -> None:
    meta = json.loads((trained[1] / "metadata.json").read_text())
    assert {"feature_set_hash", "metrics", "data_range", "created_at", "versions",
            "files"} <= set(meta)
    assert set(registry.FILES) <= set(meta["files"])


def test_a_tampered_file_is_refused(trained: tuple[TrainResult, Path], tmp_path: Path) -> None:
    copy = tmp_path / "v"
    shutil.copytree(trained[1], copy)
    with open(copy / "random_forest.npz", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelRefused, match="sha256"):
        registry.load(copy)


def test_a_model_of_another_feature_set_is_refused(
    trained: tuple[TrainResult, Path], tmp_path: Path,
) -> None:
    copy = tmp_path / "v"
    shutil.copytree(trained[1], copy)
    meta = json.loads((copy / "metadata.json").read_text())
    meta["feature_set_hash"] = "0" * 16
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelRefused, match="feature set"):
        registry.load(copy)


def test_an_empty_registry_says_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelRefused, match="claudedex train"):
        registry.load(tmp_path)


def test_scorer_gives_probability_explanation_and_pump(trained: tuple[TrainResult, Path]) -> None:
    scorer = Scorer.from_registry(trained[1])
    obs = [e.obs for e in dataset.load(FIXTURE)[:3]]
    scores = scorer.score(obs)
    assert [s.token for s in scores] == [o.token for o in obs]
    for s in scores:
        assert 0.0 <= s.scam_probability <= 1.0 and s.model_version == trained[1].name
        names = [n for n, _ in s.contributions]
        assert names[-1] == "pump_probability" and len(names) >= 2
