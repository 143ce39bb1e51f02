"""The five models and their calibrated blend: one ``predict`` for training, serving, backtest.

Why this shape: the IsolationForest (fitted on honest launches only) turns each token into
an anomaly score that the three tree models receive as one more input feature; XGBoost,
LightGBM, RandomForest and the LSTM's scam head are then blended in logit space with weights
from their validation log-loss, and the blend is Platt-calibrated on the same validation
launches, so ``scam_probability`` means what it says on launches the models never saw.
The pump probability is the LSTM's pump head, Platt-calibrated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import xgboost as xgb

from claudedex.ml.features import FEATURE_NAMES
from claudedex.ml.forest import PackedForest, pack_xgboost
from claudedex.ml.lstm_numpy import NumpyLstm

F64 = npt.NDArray[np.float64]
BLEND_NAMES = ("xgboost", "lightgbm", "random_forest", "lstm")
EXPLAIN_NAMES = (*FEATURE_NAMES, "anomaly_score")
EPS = 2.5e-3  # logits clipped to about +-6: one overconfident model cannot decide alone


def logit(p: npt.NDArray[Any]) -> F64:
    q = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


def sigmoid(z: npt.NDArray[Any]) -> F64:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64))), dtype=np.float64)


@dataclass
class Stacker:
    """Blend weights (sum 1) over base logits, then Platt scaling ``sigmoid(a*z + b)``."""

    weights: list[float]
    a: float = 1.0
    b: float = 0.0
    pump_a: float = 1.0  # pump = sigmoid(pump_a * logit(lstm pump) + pump_b)
    pump_b: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"weights": dict(zip(BLEND_NAMES, self.weights, strict=True)), "a": self.a,
                "b": self.b, "pump_a": self.pump_a, "pump_b": self.pump_b}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Stacker:
        return cls([float(d["weights"][n]) for n in BLEND_NAMES], float(d["a"]), float(d["b"]),
                   float(d.get("pump_a", 1.0)), float(d.get("pump_b", 0.0)))


@dataclass
class Ensemble:
    xgb: xgb.Booster
    lgbm: lgb.Booster
    rf: PackedForest
    iforest: PackedForest
    lstm: NumpyLstm
    stacker: Stacker
    threshold: float = 0.5
    # the booster's trees in numpy: same numbers, a tenth of inplace_predict's per-call cost
    xgb_fast: PackedForest = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.xgb_fast = pack_xgboost(self.xgb)

    def augment(self, x: F64) -> F64:
        """Features plus the IsolationForest anomaly score: the tree models' input."""
        x = np.asarray(x, dtype=np.float64)
        return np.hstack([x, self.iforest.predict(x)[:, None]])

    def base(self, x: F64, seqs: npt.NDArray[np.float32]) -> tuple[F64, F64]:
        """(n, 4) base-model logits (BLEND_NAMES order) and (n,) raw LSTM pump probabilities."""
        xa = self.augment(x)
        p_xgb = self.xgb_fast.predict(xa)
        p_lgbm = np.asarray(self.lgbm.predict(xa, num_threads=1), dtype=np.float64)
        lstm = self.lstm.predict(seqs)
        cols = np.stack([logit(p_xgb), logit(p_lgbm), logit(self.rf.predict(xa)),
                         logit(lstm[:, 0])], axis=1)  # fmt: skip
        return cols, np.asarray(lstm[:, 1], dtype=np.float64)

    def predict(self, x: F64, seqs: npt.NDArray[np.float32]) -> tuple[F64, F64]:
        """Calibrated (scam probability, pump probability) per row."""
        cols, pump_raw = self.base(x, seqs)
        s = self.stacker
        scam = sigmoid(s.a * (cols @ np.asarray(s.weights)) + s.b)
        pump = sigmoid(s.pump_a * logit(pump_raw) + s.pump_b)
        return scam, pump

    def explain(self, x: F64, k: int = 5) -> list[list[tuple[str, float]]]:
        """Top-k XGBoost feature contributions (log-odds, pred_contribs) per row."""
        contribs = self.xgb.predict(xgb.DMatrix(self.augment(x), nthread=1), pred_contribs=True)
        out = []
        for row in np.asarray(contribs)[:, :-1]:  # last column is the bias
            top = np.argsort(-np.abs(row))[:k]
            out.append([(EXPLAIN_NAMES[i], round(float(row[i]), 4)) for i in top if row[i] != 0])
        return out


def _log_loss(z: F64, y: npt.NDArray[np.int64]) -> float:
    p = sigmoid(z)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def fit_stacker(cols: F64, y: npt.NDArray[np.int64], pump_raw: F64,
                y_pump: npt.NDArray[np.int64]) -> Stacker:
    """Weights ~ 1/validation log-loss, then Platt scaling; identity if a class is missing."""
    from sklearn.linear_model import LogisticRegression

    n = len(BLEND_NAMES)
    weights, a, b = [1.0 / n] * n, 1.0, 0.0
    if len(y) and len(set(y.tolist())) == 2:
        inv = [1.0 / max(_log_loss(cols[:, i], y), 0.01) for i in range(n)]
        weights = [w / sum(inv) for w in inv]
        z = cols @ np.asarray(weights)
        platt = LogisticRegression(C=1.0, max_iter=1000).fit(z[:, None], y)
        a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    pump_a, pump_b = 1.0, 0.0
    if len(set(y_pump.tolist())) == 2:
        pl = LogisticRegression(C=1.0, max_iter=1000).fit(logit(pump_raw)[:, None], y_pump)
        pump_a, pump_b = float(pl.coef_[0][0]), float(pl.intercept_[0])
    return Stacker(weights, a, b, pump_a, pump_b)
