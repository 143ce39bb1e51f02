"""The LSTM on early price and volume sequences (two heads: scam and pump), trained in Keras.

Why the only TensorFlow importer: TensorFlow costs seconds to import, so it is imported
inside ``train_lstm`` and nowhere else; serving runs the exported weights in numpy
(``lstm_numpy``). The ``.keras`` file is kept beside the weights for inspection and for the
Keras-vs-numpy benchmark.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claudedex.ml.lstm_numpy import NumpyLstm

UNITS = 16


def train_lstm(
    seqs: npt.NDArray[np.float32], y_scam: npt.NDArray[np.int64], y_pump: npt.NDArray[np.int64],
    *, seed: int = 0, epochs: int = 60, keras_path: Path | None = None,
) -> NumpyLstm:
    """Fit a small LSTM with two sigmoid heads; return its numpy twin (weights copied)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras  # lazy: the only TensorFlow import in ClaudeDex

    keras.utils.set_random_seed(seed)
    mean = seqs.reshape(-1, seqs.shape[-1]).mean(axis=0).astype(np.float32)
    std = (seqs.reshape(-1, seqs.shape[-1]).std(axis=0) + 1e-3).astype(np.float32)
    x = (seqs - mean) / std
    y = np.stack([y_scam, y_pump], axis=1).astype(np.float32)
    model: Any = keras.Sequential([
        keras.Input(shape=seqs.shape[1:]),
        keras.layers.LSTM(UNITS),
        keras.layers.Dense(2, activation="sigmoid"),
    ])  # fmt: skip
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, shuffle=True)
    if keras_path is not None:
        model.save(keras_path)
    kernel, recurrent, bias = (np.asarray(w, dtype=np.float32)
                               for w in model.layers[0].get_weights())
    dense_w, dense_b = (np.asarray(w, dtype=np.float32) for w in model.layers[1].get_weights())
    return NumpyLstm(mean, std, kernel, recurrent, bias, dense_w, dense_b)


def keras_predict(keras_path: Path, seqs: npt.NDArray[np.float32], net: NumpyLstm) -> Any:
    """Keras inference on the saved model (benchmarks and the equivalence test only)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    model: Any = keras.models.load_model(keras_path, safe_mode=True)
    return model.predict((seqs - net.mean) / net.std, verbose=0)
