"""sklearn tree ensembles packed into plain arrays: no pickle on disk, fast batched inference.

Why pack: a fitted RandomForest or IsolationForest is a list of trees whose arrays
(children, feature, threshold, value) are all inference needs. Stored as ``.npz`` they load
without unpickling anything, and walking every tree at once in numpy scores a token in tens
of microseconds where ``predict_proba`` on one row costs milliseconds of per-tree overhead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PackedForest:
    """All trees in one node table; ``roots[t]`` is tree t's first node."""

    kind: str  # "classifier" (RF: mean leaf P(class 1)) | "isolation" | "margin" (XGBoost)
    roots: I64
    left: I64  # -1 at leaves
    right: I64
    feature: I64
    threshold: F64
    leaf_value: F64  # classifier: P(class 1) at the leaf; isolation: depth + c(n) at the leaf
    max_depth: int
    norm: float = 1.0  # isolation: c(max_samples); margin: the base score (logit)

    def _leaves(self, x: F64) -> I64:
        n = x.shape[0]
        node = np.broadcast_to(self.roots, (n, self.roots.size)).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.max_depth):
            left = self.left[node]
            leaf = left < 0
            if leaf.all():
                break
            value = x[rows, self.feature[node]]
            thr = self.threshold[node]
            go_left = value < thr if self.kind == "margin" else value <= thr
            node = np.where(leaf, node, np.where(go_left, left, self.right[node]))
        return node

    def predict(self, x: F64) -> F64:
        """P(class 1) (classifier, margin) or the anomaly score in 0..1 (isolation)."""
        x = np.asarray(x, dtype=np.float32 if self.kind == "margin" else np.float64)
        if np.isnan(x).any():
            raise ValueError("features hold NaN: extract() never produces one")
        leaves = self.leaf_value[self._leaves(x)]
        if self.kind == "margin":
            return np.asarray(1.0 / (1.0 + np.exp(-(leaves.sum(axis=1) + self.norm))),
                              dtype=np.float64)
        vals = leaves.mean(axis=1)
        if self.kind == "isolation":
            return np.asarray(2.0 ** (-vals / self.norm), dtype=np.float64)
        return np.asarray(vals, dtype=np.float64)

    def save(self, path: Path) -> None:
        np.savez(path, kind=np.array(self.kind), roots=self.roots, left=self.left,
                 right=self.right, feature=self.feature, threshold=self.threshold,
                 leaf_value=self.leaf_value, max_depth=np.array(self.max_depth),
                 norm=np.array(self.norm))  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> PackedForest:
        with np.load(path, allow_pickle=False) as z:
            return cls(str(z["kind"]), z["roots"].astype(np.int64), z["left"].astype(np.int64),
                       z["right"].astype(np.int64), z["feature"].astype(np.int64),
                       z["threshold"].astype(np.float64), z["leaf_value"].astype(np.float64),
                       int(z["max_depth"]), float(z["norm"]))  # fmt: skip


def average_path_length(n: npt.NDArray[Any]) -> F64:
    """c(n) of the isolation-forest paper: the mean path length of an unsuccessful BST search."""
    n = np.asarray(n, dtype=np.float64)
    out = np.zeros_like(n)
    big = n > 2
    out[n == 2] = 1.0
    out[big] = 2.0 * (np.log(n[big] - 1.0) + np.euler_gamma) - 2.0 * (n[big] - 1.0) / n[big]
    return out


def _depths(left: I64, right: I64) -> I64:
    depth = np.zeros(left.size, dtype=np.int64)
    stack = [0]
    while stack:
        i = stack.pop()
        if left[i] >= 0:
            depth[left[i]] = depth[right[i]] = depth[i] + 1
            stack += [int(left[i]), int(right[i])]
    return depth


def pack(model: Any, kind: str) -> PackedForest:
    """Pack a fitted RandomForestClassifier (kind="classifier") or IsolationForest."""
    roots, lefts, rights, feats, thrs, vals = [], [], [], [], [], []
    offset, max_depth = 0, 0
    features_of = getattr(model, "estimators_features_", None)
    for t, est in enumerate(model.estimators_):
        tree = est.tree_
        left = tree.children_left.astype(np.int64)
        right = tree.children_right.astype(np.int64)
        feat = tree.feature.astype(np.int64)
        if features_of is not None:  # IsolationForest trees see a permuted feature subset
            mapping = np.asarray(features_of[t], dtype=np.int64)
            feat = np.where(feat >= 0, mapping[np.maximum(feat, 0)], 0)
        feat = np.maximum(feat, 0)
        if kind == "classifier":
            value = tree.value[:, 0, :]
            value = value / np.maximum(value.sum(axis=1, keepdims=True), 1e-12)
            col = list(model.classes_).index(1) if 1 in list(model.classes_) else -1
            leaf_value = value[:, col] if col >= 0 else np.zeros(left.size)
        else:
            depth = _depths(left, right)
            leaf_value = depth + average_path_length(tree.n_node_samples)
        max_depth = max(max_depth, int(tree.max_depth))
        roots.append(offset)
        lefts.append(np.where(left >= 0, left + offset, -1))
        rights.append(np.where(right >= 0, right + offset, -1))
        feats.append(feat)
        thrs.append(tree.threshold.astype(np.float64))
        vals.append(np.asarray(leaf_value, dtype=np.float64))
        offset += left.size
    norm = 1.0
    if kind != "classifier":
        norm = float(average_path_length(np.array([model.max_samples_]))[0])
    return PackedForest(kind, np.asarray(roots, dtype=np.int64), np.concatenate(lefts),
                        np.concatenate(rights), np.concatenate(feats), np.concatenate(thrs),
                        np.concatenate(vals), max_depth + 1, norm)  # fmt: skip


def pack_xgboost(booster: Any) -> PackedForest:
    """Pack a binary:logistic XGBoost booster from its own JSON model (x < threshold: left).

    Thresholds and inputs are compared as float32, as XGBoost does.
    """
    learner = json.loads(bytes(booster.save_raw("json")))["learner"]
    if learner["objective"]["name"] != "binary:logistic":
        raise ValueError(f"cannot pack objective {learner['objective']['name']}")
    base_p = float(str(learner["learner_model_param"]["base_score"]).strip("[]"))
    roots, lefts, rights, feats, thrs, vals = [], [], [], [], [], []
    offset, max_depth = 0, 0
    for tree in learner["gradient_booster"]["model"]["trees"]:
        left = np.asarray(tree["left_children"], dtype=np.int64)
        right = np.asarray(tree["right_children"], dtype=np.int64)
        cond = np.asarray(tree["split_conditions"], dtype=np.float32)
        leaf = left < 0
        max_depth = max(max_depth, int(_depths(np.where(leaf, -1, left),
                                               np.where(leaf, -1, right)).max()))
        roots.append(offset)
        lefts.append(np.where(leaf, -1, left + offset))
        rights.append(np.where(leaf, -1, right + offset))
        feats.append(np.asarray(tree["split_indices"], dtype=np.int64))
        thrs.append(cond.astype(np.float64))
        vals.append(np.where(leaf, cond, 0.0).astype(np.float64))
        offset += left.size
    return PackedForest("margin", np.asarray(roots, dtype=np.int64), np.concatenate(lefts),
                        np.concatenate(rights), np.concatenate(feats),
                        np.concatenate(thrs).astype(np.float32).astype(np.float64),
                        np.concatenate(vals), max_depth + 1,
                        float(np.log(base_p / (1.0 - base_p))))  # fmt: skip
