"""Labelled observations on disk (JSONL) and the time-based split used for every model.

Why JSONL of raw observations rather than a feature matrix: the features are recomputed from
the same ``Observation`` by ``extract`` at training time, so a dataset recorded before a
feature change still trains the new feature set, and serving cannot drift from training.
Labels (family, scam, pump) come from the devnet ground truth and are never features.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claudedex.errors import UserInputError
from claudedex.ml.features import Observation, Swap, matrix, sequences
from claudedex.safety.report_json import report_from_json, report_to_json

PUMP_RATIO = 1.3  # a pump: the price rises >= 30 % within the label horizon after cut-off


@dataclass(frozen=True)
class Example:
    obs: Observation
    family: str
    scam: bool
    future_max_ratio: float  # label only
    index: int  # launch order (the time axis of the split)

    @property
    def pump(self) -> bool:
        return (not self.scam) and self.future_max_ratio >= PUMP_RATIO


def obs_to_json(o: Observation) -> dict[str, Any]:
    return {
        "token": o.token, "pair": o.pair, "created_block": o.created_block, "cutoff": o.cutoff,
        "report": report_to_json(o.report) if o.report else None,
        "liq_created": str(o.liq_created), "token_res_created": str(o.token_res_created),
        "liq_cutoff": str(o.liq_cutoff), "token_res_cutoff": str(o.token_res_cutoff),
        "lp_total": str(o.lp_total), "lp_creator": str(o.lp_creator),
        "lp_burned": str(o.lp_burned), "supply_created": str(o.supply_created),
        "supply_cutoff": str(o.supply_cutoff),
        "swaps": [[s.block, s.is_buy, str(s.quote), s.trader] for s in o.swaps],
        "syncs": [[b, str(t), str(q)] for b, t, q in o.syncs],
        "n_transfers": o.n_transfers, "n_receivers": o.n_receivers,
        "social_posts": o.social_posts, "social_warn_posts": o.social_warn_posts,
        "social_likes": o.social_likes,
    }  # fmt: skip


def obs_from_json(d: dict[str, Any]) -> Observation:
    return Observation(
        token=d["token"], pair=d["pair"], created_block=int(d["created_block"]),
        cutoff=int(d["cutoff"]),
        report=report_from_json(d["report"]) if d.get("report") else None,
        liq_created=int(d["liq_created"]), token_res_created=int(d["token_res_created"]),
        liq_cutoff=int(d["liq_cutoff"]), token_res_cutoff=int(d["token_res_cutoff"]),
        lp_total=int(d["lp_total"]), lp_creator=int(d["lp_creator"]),
        lp_burned=int(d["lp_burned"]), supply_created=int(d["supply_created"]),
        supply_cutoff=int(d["supply_cutoff"]),
        swaps=tuple(Swap(int(b), bool(buy), int(q), str(t)) for b, buy, q, t in d["swaps"]),
        syncs=tuple((int(b), int(t), int(q)) for b, t, q in d["syncs"]),
        n_transfers=int(d["n_transfers"]), n_receivers=int(d["n_receivers"]),
        social_posts=int(d["social_posts"]), social_warn_posts=int(d["social_warn_posts"]),
        social_likes=int(d["social_likes"]),
    )  # fmt: skip


def example_to_json(e: Example) -> dict[str, Any]:
    return {"obs": obs_to_json(e.obs), "family": e.family, "scam": e.scam,
            "future_max_ratio": e.future_max_ratio, "index": e.index}


def save(examples: list[Example], path: Path) -> None:
    """Write atomically (temp file + rename): a crash never leaves half a dataset."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for e in examples:
            fh.write(json.dumps(example_to_json(e), sort_keys=True) + "\n")
    tmp.replace(path)


def load(path: Path) -> list[Example]:
    """Read a dataset; a missing or malformed file is the operator's input error."""
    if not path.is_file():
        raise UserInputError(f"dataset {path} does not exist")
    out: list[Example] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                out.append(Example(obs_from_json(d["obs"]), str(d["family"]), bool(d["scam"]),
                                   float(d["future_max_ratio"]), int(d["index"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise UserInputError(f"dataset {path} line {n} is not a labelled "
                                     f"observation: {exc}") from exc
    if not out:
        raise UserInputError(f"dataset {path} holds no examples")
    return out


@dataclass(frozen=True)
class Split:
    train: list[Example]
    val: list[Example]
    test: list[Example]


def time_split(examples: list[Example], val: float = 0.2, test: float = 0.25) -> Split:
    """Oldest launches train, the next validate, the newest test (never shuffled)."""
    ordered = sorted(examples, key=lambda e: (e.obs.created_block, e.index))
    n = len(ordered)
    n_test = max(1, round(n * test))
    n_val = max(1, round(n * val))
    if n - n_test - n_val < 4:
        raise UserInputError(f"{n} examples are too few to split into train/validation/test")
    return Split(ordered[: n - n_test - n_val], ordered[n - n_test - n_val : n - n_test],
                 ordered[n - n_test :])


def arrays(examples: list[Example]) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float32], npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:  # fmt: skip
    """(features, sequences, scam labels, pump labels)."""
    obs = [e.obs for e in examples]
    y = np.asarray([int(e.scam) for e in examples], dtype=np.int64)
    yp = np.asarray([int(e.pump) for e in examples], dtype=np.int64)
    return matrix(obs), sequences(obs), y, yp
