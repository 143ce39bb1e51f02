"""Ground truth stays with the devnet: no engine code outside claudedex/devnet reads it,
except ML *training* (its labels come from it); serving, safety and strategy never do."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "claudedex"
FORBIDDEN = ("labels.jsonl", "claudedex.devnet.labels", "read_labels", "LABELS_FILE")
TRAINING = {PACKAGE / "ml" / "datagen.py", PACKAGE / "ml" / "history.py"}


def test_no_module_outside_devnet_touches_the_labels() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if (PACKAGE / "devnet") in path.parents or path in TRAINING:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(PACKAGE)}: {word}" for word in FORBIDDEN if word in text]
    assert offenders == []
