"""Packed forests and the numpy LSTM compute exactly what sklearn and Keras compute."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest, RandomForestClassifier

from claudedex.ml.forest import PackedForest, pack, pack_xgboost
from claudedex.ml.lstm import keras_predict, train_lstm


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 8))
    return x, (x[:, 0] + x[:, 3] > 0).astype(int)


def test_packed_random_forest_equals_predict_proba(tmp_path: Path) -> None:
    x, y = _data()
    rf = RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0).fit(x, y)
    packed = pack(rf, "classifier")
    packed.save(tmp_path / "rf.npz")
    loaded = PackedForest.load(tmp_path / "rf.npz")
    np.testing.assert_allclose(loaded.predict(x), rf.predict_proba(x)[:, 1], atol=1e-12)


def test_packed_isolation_forest_equals_score_samples() -> None:
    x, _ = _data()
    iso = IsolationForest(n_estimators=30, max_features=0.7, random_state=0).fit(x)
    np.testing.assert_allclose(pack(iso, "isolation").predict(x), -iso.score_samples(x),
                               atol=1e-12)


def test_packed_xgboost_equals_the_booster() -> None:
    import xgboost as xgb

    x, _ = _data()
    y = (x[:, 0] * x[:, 2] + x[:, 5] > 0).astype(int)
    booster = xgb.XGBClassifier(n_estimators=80, max_depth=4, n_jobs=1).fit(x, y).get_booster()
    np.testing.assert_allclose(pack_xgboost(booster).predict(x), booster.inplace_predict(x),
                               atol=1e-6)


@pytest.mark.slow
def test_numpy_lstm_equals_keras(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    seqs = rng.normal(size=(40, 20, 6)).astype(np.float32)
    y = (seqs[:, :, 0].mean(axis=1) > 0).astype(np.int64)
    net = train_lstm(seqs, y, 1 - y, epochs=2, keras_path=tmp_path / "m.keras")
    np.testing.assert_allclose(net.predict(seqs), keras_predict(tmp_path / "m.keras", seqs, net),
                               atol=1e-5)
