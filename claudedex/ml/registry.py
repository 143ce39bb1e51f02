"""Versioned model artifacts with metadata and checksums, refused when tampered or mismatched.

Why no pickle at all: every model is stored in a format that loads without executing code
(XGBoost JSON, LightGBM text, numpy ``.npz`` with ``allow_pickle=False``, JSON for the
stacker). ``metadata.json`` records the sha256 of each file, the feature-set hash, metrics
and data range; ``load`` verifies every checksum and the feature-set hash before parsing
anything, so a changed file or a model from another feature definition is refused with one
clear message. Layout: ``<registry>/<version>/...`` and ``<registry>/LATEST``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claudedex.errors import ClaudeDexError
from claudedex.ml.ensemble import Ensemble, Stacker
from claudedex.ml.features import FEATURE_NAMES, feature_set_hash
from claudedex.ml.forest import PackedForest
from claudedex.ml.lstm_numpy import NumpyLstm

METADATA = "metadata.json"
LATEST = "LATEST"
FILES = ("xgboost.json", "lightgbm.txt", "random_forest.npz", "isolation_forest.npz",
         "lstm.npz", "stacker.json")  # fmt: skip
OPTIONAL = ("lstm.keras",)


class ModelRefused(ClaudeDexError):
    """A model artifact failed its checksum, its feature-set hash, or is missing."""


@dataclass(frozen=True)
class LoadedModel:
    ensemble: Ensemble
    version: str
    metadata: dict[str, Any]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    import lightgbm
    import numpy
    import sklearn
    import xgboost

    return {"xgboost": xgboost.__version__, "lightgbm": lightgbm.__version__,
            "sklearn": sklearn.__version__, "numpy": numpy.__version__}


def save(registry: Path, ens: Ensemble, *, metrics: dict[str, Any], data_range: dict[str, Any],
         keras_path: Path | None = None, extra: dict[str, Any] | None = None) -> Path:
    """Write a new version directory atomically (temp dir + rename) and point LATEST at it."""
    registry.mkdir(parents=True, exist_ok=True)
    version = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{feature_set_hash()[:6]}"
    n = 0
    while (registry / version).exists():
        n += 1
        version = f"{version.split('.')[0]}.{n}"
    tmp = registry / f".{version}.tmp"
    tmp.mkdir()
    try:
        ens.xgb.save_model(str(tmp / "xgboost.json"))
        ens.lgbm.save_model(str(tmp / "lightgbm.txt"))
        ens.rf.save(tmp / "random_forest.npz")
        ens.iforest.save(tmp / "isolation_forest.npz")
        ens.lstm.save(tmp / "lstm.npz")
        (tmp / "stacker.json").write_text(json.dumps(
            {**ens.stacker.to_json(), "threshold": ens.threshold}, indent=1), encoding="utf-8")
        files = list(FILES)
        if keras_path is not None and keras_path.is_file():
            shutil.copyfile(keras_path, tmp / "lstm.keras")
            files.append("lstm.keras")
        meta = {
            "version": version, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "feature_set_hash": feature_set_hash(), "features": list(FEATURE_NAMES),
            "threshold": ens.threshold, "metrics": metrics, "data_range": data_range,
            "versions": _versions(), "files": {f: _sha256(tmp / f) for f in files},
            **(extra or {}),
        }  # fmt: skip
        (tmp / METADATA).write_text(json.dumps(meta, indent=1, sort_keys=True), "utf-8")
        tmp.rename(registry / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (registry / (LATEST + ".tmp")).write_text(version + "\n", encoding="utf-8")
    (registry / (LATEST + ".tmp")).replace(registry / LATEST)
    return registry / version


def latest(registry: Path) -> Path | None:
    """The newest version's directory, or None when the registry holds no model."""
    pointer = registry / LATEST
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    if not name or "/" in name or name.startswith("."):
        raise ModelRefused(f"{pointer} names no valid version: {name!r}")
    return registry / name


def verify(version_dir: Path) -> dict[str, Any]:
    """Check metadata, feature-set hash and every checksum; return the metadata."""
    meta_path = version_dir / METADATA
    if not meta_path.is_file():
        raise ModelRefused(f"model {version_dir} has no {METADATA}; refusing to load it")
    try:
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelRefused(f"model {version_dir}: {METADATA} is not JSON ({exc})") from exc
    want = feature_set_hash()
    if meta.get("feature_set_hash") != want:
        raise ModelRefused(
            f"model {version_dir.name} was trained on feature set "
            f"{meta.get('feature_set_hash')!r}, this build extracts {want!r}; "
            "retrain with `claudedex train`")
    files = meta.get("files")
    if not isinstance(files, dict) or not set(FILES) <= set(files):
        raise ModelRefused(f"model {version_dir.name}: metadata lists no checksum for "
                           f"{sorted(set(FILES) - set(files or {}))}")
    root = version_dir.resolve()
    for name, digest in files.items():
        path = (version_dir / name).resolve()
        if path.parent != root or path.is_symlink() or not path.is_file():
            raise ModelRefused(f"model {version_dir.name}: {name} is missing or outside "
                               "the model directory")
        if _sha256(path) != digest:
            raise ModelRefused(f"model {version_dir.name}: {name} does not match its sha256 "
                               "checksum (tampered or corrupted); refusing to load it")
    return meta


def load(path: Path) -> LoadedModel:
    """Load a version directory, or the LATEST version of a registry directory."""
    import lightgbm as lgb
    import xgboost as xgb

    version_dir = path
    if not (path / METADATA).is_file():
        found = latest(path)
        if found is None:
            raise ModelRefused(f"no trained model in {path}; run `claudedex train`")
        version_dir = found
    meta = verify(version_dir)
    booster = xgb.Booster()
    booster.load_model(str(version_dir / "xgboost.json"))
    booster.set_param({"nthread": 1})
    stack = json.loads((version_dir / "stacker.json").read_text(encoding="utf-8"))
    ens = Ensemble(
        xgb=booster,
        lgbm=lgb.Booster(model_file=str(version_dir / "lightgbm.txt")),
        rf=PackedForest.load(version_dir / "random_forest.npz"),
        iforest=PackedForest.load(version_dir / "isolation_forest.npz"),
        lstm=NumpyLstm.load(version_dir / "lstm.npz"),
        stacker=Stacker.from_json(stack),
        threshold=float(stack.get("threshold", 0.5)),
    )
    return LoadedModel(ens, str(meta.get("version", version_dir.name)), meta)
