"""Machine learning for ClaudeDex: one feature definition, five models, a calibrated ensemble.

Layout: ``features`` (the FEATURES table and ``extract``), ``observe`` (reads the chain at a
cut-off block), ``datagen`` / ``history`` (devnet launches or a recorded run -> labelled
observations), ``dataset`` (JSONL + time split), ``forest`` / ``lstm`` / ``lstm_numpy`` (the
learners in pickle-free, fast-serving form), ``ensemble`` (blend + calibration), ``registry``
(versioned, checksummed artifacts), ``training`` / ``train_job`` (``claudedex train``),
``serve`` (batched scoring) and ``scorer`` (the engine component publishing TokenScored).
TensorFlow is imported only inside ``lstm.train_lstm``.
"""
