"""What ``claudedex train`` does, without the CLI: find or make data, train, save, report.

Why apart from the CLI module: the benchmark and the tests run the same job, and the CLI
stays a thin face (flags, progress bar, printing).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claudedex.devnet.zoo import FAMILIES
from claudedex.errors import UserInputError
from claudedex.ml import dataset, registry
from claudedex.ml.datagen import GenConfig, generate
from claudedex.ml.features import CUTOFF_BLOCKS
from claudedex.ml.training import STEPS, train

MIN_LAUNCHES = 20


@dataclass
class JobProgress:
    """Callbacks the face turns into progress bars."""

    launches: Callable[[int, int], None] | None = None
    step: Callable[[str], None] | None = None


def dataset_path(data_dir: Path, launches: int, seed: int) -> Path:
    return data_dir / "ml" / "datasets" / f"devnet-seed{seed}-n{launches}-c{CUTOFF_BLOCKS}.jsonl"


def run_train(
    *, data_dir: Path, registry_dir: Path, launches: int = 60, data: Path | None = None,
    seed: int = 7, leave_out: str | None = None, progress: JobProgress | None = None,
) -> dict[str, Any]:
    """Train and save a model; return a JSON-ready summary (metrics, version, paths)."""
    progress = progress or JobProgress()
    if leave_out is not None and (leave_out not in FAMILIES or not FAMILIES[leave_out].scam):
        scams = ", ".join(sorted(n for n, f in FAMILIES.items() if f.scam))
        raise UserInputError(f"--leave-out {leave_out!r} is not a scam family ({scams})")
    if data is not None:
        examples = dataset.load(data)
        source = str(data)
    else:
        if launches < MIN_LAUNCHES:
            raise UserInputError(f"--launches {launches}: at least {MIN_LAUNCHES} are needed "
                                 "to split train/validation/test")
        path = dataset_path(data_dir, launches, seed)
        if path.is_file():
            examples = dataset.load(path)
        else:
            examples = generate(GenConfig(launches=launches, seed=seed,
                                          progress=progress.launches))
            dataset.save(examples, path)
        source = str(path)
    with tempfile.TemporaryDirectory(prefix="claudedex-lstm-") as tmp:
        result = train(examples, seed=seed, leave_out=leave_out, progress=progress.step,
                       keras_path=Path(tmp) / "lstm.keras")
        version_dir = registry.save(
            registry_dir, result.ensemble, metrics=result.metrics,
            data_range={**result.data_range, "source": source}, keras_path=result.keras_path,
            extra={"seed": seed, "leave_out": leave_out})
    return {"version": version_dir.name, "path": str(version_dir), "dataset": source,
            "threshold": round(result.ensemble.threshold, 4), **result.metrics}


__all__ = ["STEPS", "JobProgress", "dataset_path", "run_train"]
