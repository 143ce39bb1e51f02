"""ML figures: held-out quality at 20 blocks after pair creation, leave-one-family-out recall,
and per-token inference latency (p50/p99) of the five-model ensemble on CPU.

Prints one JSON object. Run by hand:
    .venv/bin/python benchmarks/ml.py [--launches 300] [--seed 11] [--data PATH] [--lofo all]
Without --data it generates devnet launches first (cached under $CLAUDEDEX_HOME like `train`).
Goals (issue 8): recall >= 0.95 at precision >= 0.95 on launches never seen in training;
ensemble p99 < 2 ms per token on CPU.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from claudedex.devnet.zoo import SCAM_FAMILIES
from claudedex.ml import dataset, registry
from claudedex.ml.datagen import GenConfig, generate
from claudedex.ml.features import matrix, sequences
from claudedex.ml.serve import Scorer
from claudedex.ml.train_job import dataset_path
from claudedex.ml.training import train
from claudedex.observability.logging import configure_logging
from claudedex.paths import data_dir
from claudedex.shutdown import exit_on_signals


def pct(samples: list[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1000.0
    return {"p50_ms": round(float(np.percentile(arr, 50)), 4),
            "p99_ms": round(float(np.percentile(arr, 99)), 4)}


def timed(fn: Any, n: int) -> dict[str, float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return pct(out)


def latency(scorer: Scorer, examples: list[dataset.Example], keras_path: Path | None,
            n: int) -> dict[str, Any]:
    ens = scorer.model.ensemble
    obs = [e.obs for e in examples]
    one = obs[:1]
    x, s = matrix(one), sequences(one)
    xa = ens.augment(x)
    res: dict[str, Any] = {
        "per_token_all_five_models": timed(lambda: ens.predict(matrix(one), sequences(one)), n),
        "per_token_with_explanation": timed(lambda: scorer.score(one), n),
        "features_only": timed(lambda: (matrix(one), sequences(one)), n),
        "xgboost_inplace_predict": timed(lambda: ens.xgb.inplace_predict(xa), n),
        "xgboost_packed": timed(lambda: ens.xgb_fast.predict(xa), n),
        "lightgbm": timed(lambda: ens.lgbm.predict(xa, num_threads=1), n),
        "random_forest_packed": timed(lambda: ens.rf.predict(xa), n),
        "isolation_forest_packed": timed(lambda: ens.iforest.predict(x), n),
        "lstm_numpy": timed(lambda: ens.lstm.predict(s), n),
        "xgboost_pred_contribs": timed(lambda: ens.explain(x), n),
    }
    batch = obs[:64]
    t = time.perf_counter()
    for _ in range(20):
        ens.predict(matrix(batch), sequences(batch))
    res["batched_64_per_token_ms"] = round((time.perf_counter() - t) / (20 * len(batch)) * 1000, 4)
    if keras_path is not None and keras_path.is_file():
        import os

        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras

        model: Any = keras.models.load_model(keras_path, safe_mode=True)
        norm = (s - ens.lstm.mean) / ens.lstm.std
        model.predict(norm, verbose=0)  # warm-up (graph build)
        res["lstm_keras_predict"] = timed(lambda: model.predict(norm, verbose=0), min(n, 200))
        res["lstm_keras_call"] = timed(lambda: model(norm, training=False), min(n, 200))
        res["lstm_numpy_max_abs_diff_vs_keras"] = float(
            np.abs(model.predict(norm, verbose=0) - ens.lstm.predict(s)).max())
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--launches", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--lofo", default="all", help="'all', 'none' or comma-separated families")
    ap.add_argument("--iterations", type=int, default=2000)
    args = ap.parse_args()
    configure_logging(data_dir("devnet"), console=False)  # stdout carries only the JSON
    t0 = time.perf_counter()
    if args.data is not None:
        examples = dataset.load(args.data)
    else:
        path = dataset_path(data_dir("devnet"), args.launches, args.seed)
        if path.is_file():
            examples = dataset.load(path)
        else:
            examples = generate(GenConfig(launches=args.launches, seed=args.seed))
            dataset.save(examples, path)
    gen_s = time.perf_counter() - t0
    out: dict[str, Any] = {"examples": len(examples), "data_s": round(gen_s, 1),
                           "scams": sum(e.scam for e in examples), "cutoff_blocks": 20}
    with tempfile.TemporaryDirectory() as tmp:
        keras_path = Path(tmp) / "lstm.keras"
        t = time.perf_counter()
        result = train(examples, seed=args.seed, keras_path=keras_path)
        out["train_s"] = round(time.perf_counter() - t, 1)
        out["held_out"] = result.metrics["test"]
        out["validation"] = result.metrics["validation"]
        out["per_family"] = result.metrics["per_family"]
        version = registry.save(Path(tmp) / "reg", result.ensemble, metrics=result.metrics,
                                data_range=result.data_range, keras_path=keras_path)
        scorer = Scorer.from_registry(version)
        out["latency"] = latency(scorer, examples, keras_path, args.iterations)
    families = {e.family for e in examples}
    wanted = (sorted(f for f in SCAM_FAMILIES if f in families) if args.lofo == "all"
              else [] if args.lofo == "none" else args.lofo.split(","))  # fmt: skip
    lofo: dict[str, Any] = {}
    for fam in wanted:
        r = train(examples, seed=args.seed, leave_out=fam)
        lofo[fam] = {**r.metrics["left_out"], "others_test_recall": r.metrics["test"]["recall"],
                     "others_test_precision": r.metrics["test"]["precision"]}
        print(f"lofo {fam}: {lofo[fam]}", file=sys.stderr, flush=True)
    out["leave_one_family_out"] = lofo
    sys.stdout.write(json.dumps(out, sort_keys=True) + "\n")


if __name__ == "__main__":
    with exit_on_signals():  # SIGTERM unwinds, so generate() stops its anvil
        main()
