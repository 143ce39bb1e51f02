"""Quality figures: AUC, precision/recall at a threshold, per-family recall, threshold choice.

Why per family: an overall recall hides a family the models never catch; the operator
needs to see that one family slips through (and the leave-one-family-out run shows how a
new scam kind fares).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt


def auc(y: npt.NDArray[Any], p: npt.NDArray[Any]) -> float | None:
    """ROC AUC, or None when only one class is present."""
    if len(set(np.asarray(y).tolist())) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, p)), 4)


def at_threshold(y: npt.NDArray[Any], p: npt.NDArray[Any], t: float) -> dict[str, Any]:
    pred = np.asarray(p) >= t
    y = np.asarray(y).astype(bool)
    tp, fp, fn = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())
    return {
        "threshold": round(t, 4), "tp": tp, "fp": fp, "fn": fn, "tn": int((~pred & ~y).sum()),
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }  # fmt: skip


def per_family(families: list[str], y: npt.NDArray[Any], p: npt.NDArray[Any],
               t: float) -> dict[str, dict[str, Any]]:
    """Scam families: recall; honest families: false-positive rate (flagged share)."""
    rows: dict[str, list[bool]] = defaultdict(list)
    scam_of: dict[str, bool] = {}
    for fam, label, prob in zip(families, np.asarray(y).tolist(), np.asarray(p).tolist(),
                                strict=True):  # fmt: skip
        rows[fam].append(prob >= t)
        scam_of[fam] = bool(label)
    out: dict[str, dict[str, Any]] = {}
    for fam in sorted(rows):
        flagged = rows[fam]
        share = round(sum(flagged) / len(flagged), 4)
        key = "recall" if scam_of[fam] else "false_positive_rate"
        out[fam] = {"n": len(flagged), "scam": scam_of[fam], key: share}
    return out


def choose_threshold(y: npt.NDArray[Any], p: npt.NDArray[Any],
                     min_precision: float = 0.95) -> float:
    """Highest recall with precision >= min_precision on validation, midway (in logits) to
    the next honest launch below it.

    Falls back to 0.5 when validation has one class or no threshold reaches the precision.
    """
    y = np.asarray(y).astype(bool)
    p = np.asarray(p, dtype=np.float64)
    if y.all() or not y.any():
        return 0.5
    best: tuple[float, float] | None = None  # (recall, threshold)
    for t in sorted(set(p.tolist()), reverse=True):
        m = at_threshold(y, p, t)
        if m["precision"] is not None and m["precision"] >= min_precision:
            if best is None or m["recall"] > best[0]:
                best = (float(m["recall"]), t)
    if best is None:
        return 0.5
    t = best[1]
    below = p[(p < t) & ~y]
    if not below.size:
        return t
    lo = float(np.clip(below.max(), 1e-6, 1 - 1e-6))
    hi = float(np.clip(t, 1e-6, 1 - 1e-6))
    mid = (np.log(lo / (1 - lo)) + np.log(hi / (1 - hi))) / 2  # midway in logit space
    return float(1.0 / (1.0 + np.exp(-mid)))
