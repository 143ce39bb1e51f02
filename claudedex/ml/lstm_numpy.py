"""The LSTM's forward pass in numpy, from weights exported after Keras training.

Why: serving must not import TensorFlow (seconds of start-up, hundreds of MB) and a Keras
``predict`` call on one sequence costs milliseconds; the same arithmetic in numpy costs tens
of microseconds. ``tests/unit/ml`` checks it against Keras on the same weights.
Gate layout follows Keras: kernels are (in, 4u) in the order input, forget, cell, output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
HEADS = ("scam", "pump")


def _sigmoid(x: F32) -> F32:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float32)


@dataclass(frozen=True)
class NumpyLstm:
    mean: F32  # (channels,) input normalisation fitted on the training split
    std: F32
    kernel: F32  # (channels, 4u)
    recurrent: F32  # (u, 4u)
    bias: F32  # (4u,)
    dense_w: F32  # (u, heads)
    dense_b: F32  # (heads,)
    # serving layout: gates reordered to (i, f, o, g) and the sigmoid gates pre-scaled by 1/2,
    # so one tanh per step gives every gate: sigmoid(z) = tanh(z/2)/2 + 1/2
    _fast: tuple[F32, F32, F32] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        u = self.recurrent.shape[0]
        order = np.r_[0 : 2 * u, 3 * u : 4 * u, 2 * u : 3 * u]
        scale = np.r_[np.full(3 * u, 0.5), np.ones(u)].astype(np.float32)
        object.__setattr__(self, "_fast", (self.kernel[:, order] * scale,
                                           self.recurrent[:, order] * scale,
                                           self.bias[order] * scale))  # fmt: skip

    def predict(self, seqs: F32) -> F32:
        """(batch, steps, channels) -> (batch, heads) probabilities."""
        x = (np.asarray(seqs, dtype=np.float32) - self.mean) / self.std
        batch, steps, _ = x.shape
        kernel, recurrent, bias = self._fast
        u = recurrent.shape[0]
        h: npt.NDArray[Any] = np.zeros((batch, u), dtype=np.float32)
        c: npt.NDArray[Any] = np.zeros((batch, u), dtype=np.float32)
        xk = x @ kernel + bias  # all input projections at once
        for t in range(steps):
            a = np.tanh(xk[:, t, :] + h @ recurrent)
            gates = a[:, : 3 * u] * 0.5 + 0.5
            c = gates[:, u : 2 * u] * c + gates[:, :u] * a[:, 3 * u :]
            h = gates[:, 2 * u :] * np.tanh(c)
        return _sigmoid(h @ self.dense_w + self.dense_b)

    def save(self, path: Path) -> None:
        np.savez(path, mean=self.mean, std=self.std, kernel=self.kernel,
                 recurrent=self.recurrent, bias=self.bias, dense_w=self.dense_w,
                 dense_b=self.dense_b)

    @classmethod
    def load(cls, path: Path) -> NumpyLstm:
        with np.load(path, allow_pickle=False) as z:
            return cls(*(z[k].astype(np.float32) for k in
                         ("mean", "std", "kernel", "recurrent", "bias", "dense_w", "dense_b")))
