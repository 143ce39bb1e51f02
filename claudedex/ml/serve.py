"""In-process, batched scoring: observations in, Scores (with explanations) out.

Why a plain class: the engine component, the backtest and the benchmark all call the same
``score`` on a batch; features come from ``features.matrix`` / ``sequences``, the very
functions training used.
"""

from __future__ import annotations

from pathlib import Path

from claudedex.domain import Score
from claudedex.ml.features import Observation, matrix, sequences
from claudedex.ml.registry import LoadedModel, load


class Scorer:
    """A loaded, verified model; ``score`` is safe to call from one thread at a time."""

    def __init__(self, model: LoadedModel, top_k: int = 5) -> None:
        self.model = model
        self.top_k = top_k

    @classmethod
    def from_registry(cls, path: Path, top_k: int = 5) -> Scorer:
        """Load LATEST of a registry (or one version dir); raises ModelRefused."""
        return cls(load(path), top_k)

    @property
    def version(self) -> str:
        return self.model.version

    def score(self, observations: list[Observation], explain: bool = True) -> list[Score]:
        """One Score per observation: scam probability, top-k contributions, pump probability."""
        if not observations:
            return []
        ens = self.model.ensemble
        x, seqs = matrix(observations), sequences(observations)
        scam, pump = ens.predict(x, seqs)
        why = ens.explain(x, self.top_k) if explain else [[] for _ in observations]
        return [
            Score(token=o.token, scam_probability=float(p),
                  contributions=(*w, ("pump_probability", round(float(q), 4))),
                  model_version=self.version)
            for o, p, q, w in zip(observations, scam, pump, why, strict=True)
        ]  # fmt: skip
