"""The training pipeline: time split, five models, stacking, threshold, held-out evaluation.

Why one function used by ``claudedex train``, the benchmark and the tests: the figures the
CLI prints are the figures the benchmark reports, computed on launches the models never saw
(the newest ones; with ``leave_out`` also every launch of one scam family).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from claudedex.errors import UserInputError
from claudedex.ml.dataset import Example, Split, arrays, time_split
from claudedex.ml.ensemble import Ensemble, Stacker, fit_stacker
from claudedex.ml.forest import pack
from claudedex.ml.lstm import train_lstm
from claudedex.ml.metrics import at_threshold, auc, choose_threshold, per_family

STEPS = ("features", "isolation_forest", "xgboost", "lightgbm", "random_forest", "lstm",
         "stacking", "evaluate")  # fmt: skip
Progress = Callable[[str], None]


@dataclass
class TrainResult:
    ensemble: Ensemble
    metrics: dict[str, Any]
    data_range: dict[str, Any]
    keras_path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _split(examples: list[Example], leave_out: str | None) -> tuple[Split, list[Example]]:
    if leave_out is None:
        return time_split(examples), []
    families = {e.family for e in examples}
    if leave_out not in families:
        raise UserInputError(f"--leave-out {leave_out!r} is not a family in the data "
                             f"({', '.join(sorted(families))})")
    kept = [e for e in examples if e.family != leave_out]
    held = [e for e in examples if e.family == leave_out]
    return time_split(kept), held


def train(examples: list[Example], *, seed: int = 0, leave_out: str | None = None,
          progress: Progress | None = None, keras_path: Path | None = None) -> TrainResult:
    """Fit everything on the oldest launches, stack on the next, evaluate on the newest."""
    import lightgbm as lgb
    import xgboost as xgb
    from sklearn.ensemble import IsolationForest, RandomForestClassifier

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    split, held_out = _split(examples, leave_out)
    step("features")
    x_tr, s_tr, y_tr, yp_tr = arrays(split.train)
    x_va, s_va, y_va, yp_va = arrays(split.val)
    if len(set(y_tr.tolist())) < 2:
        raise UserInputError("the training launches hold only one class; generate more launches")
    step("isolation_forest")
    honest = x_tr[y_tr == 0]
    iso = IsolationForest(n_estimators=100, random_state=seed).fit(
        honest if len(honest) >= 5 else x_tr)
    packed_iso = pack(iso, "isolation")
    xa_tr = np.hstack([x_tr, packed_iso.predict(x_tr)[:, None]])
    step("xgboost")
    xgb_model = xgb.XGBClassifier(n_estimators=150, max_depth=3, learning_rate=0.1,
                                  subsample=0.9, n_jobs=1, random_state=seed, base_score=0.5)
    xgb_model.fit(xa_tr, y_tr)
    step("lightgbm")
    lgbm = lgb.LGBMClassifier(n_estimators=100, num_leaves=15, learning_rate=0.05,
                              min_child_samples=5, reg_lambda=1.0, subsample=0.9, subsample_freq=1,
                              n_jobs=1, random_state=seed, verbose=-1)
    lgbm.fit(xa_tr, y_tr)
    step("random_forest")
    rf = RandomForestClassifier(n_estimators=100, max_depth=10, n_jobs=1, random_state=seed,
                                class_weight="balanced").fit(xa_tr, y_tr)
    step("lstm")
    net = train_lstm(s_tr, y_tr, yp_tr, seed=seed, keras_path=keras_path)
    ens = Ensemble(xgb_model.get_booster(), lgbm.booster_, pack(rf, "classifier"), packed_iso,
                   net, stacker=Stacker([0.25] * 4))
    step("stacking")
    cols, pump_raw = ens.base(x_va, s_va)
    ens.stacker = fit_stacker(cols, y_va, pump_raw, yp_va)
    p_va, _ = ens.predict(x_va, s_va)
    ens.threshold = choose_threshold(y_va, p_va)
    step("evaluate")
    metrics = evaluate(ens, split.test, held_out, leave_out)
    metrics["validation"] = {"n": len(split.val), "auc": auc(y_va, p_va),
                             **at_threshold(y_va, p_va, ens.threshold)}
    metrics["train_n"] = len(split.train)
    blocks = [e.obs.created_block for e in examples]
    data_range = {"examples": len(examples), "first_block": min(blocks),
                  "last_block": max(blocks), "cutoff_blocks": _cutoff_blocks(examples),
                  "test_from_block": min(e.obs.created_block for e in split.test)}
    return TrainResult(ens, metrics, data_range, keras_path)


def _cutoff_blocks(examples: list[Example]) -> int:
    gaps = {e.obs.cutoff - e.obs.created_block for e in examples}
    return gaps.pop() if len(gaps) == 1 else -1


def evaluate(ens: Ensemble, test: list[Example], held_out: list[Example],
             leave_out: str | None) -> dict[str, Any]:
    """Held-out figures: on the newest launches, and on the left-out family if any."""
    out: dict[str, Any] = {}
    x, s, y, yp = arrays(test)
    p, pump = ens.predict(x, s)
    t = ens.threshold
    out["test"] = {"n": len(test), "auc": auc(y, p), **at_threshold(y, p, t),
                   "pump_auc": auc(yp[y == 0], pump[y == 0]) if (y == 0).any() else None}
    out["per_family"] = per_family([e.family for e in test], y, p, t)
    if leave_out is not None:
        xh, sh, yh, _ = arrays(held_out)
        ph, _ = ens.predict(xh, sh)
        out["left_out"] = {"family": leave_out, "n": len(held_out),
                           "recall": round(float((ph >= t).mean()), 4) if len(ph) else None,
                           "mean_probability": round(float(ph.mean()), 4) if len(ph) else None}
    return out
