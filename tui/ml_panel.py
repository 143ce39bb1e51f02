"""The "ML score" section of the pair-detail screen: probability, model, and the why.

Why its own module: the operator needs to see not only the ensemble's scam probability but
which features pushed it there (XGBoost ``pred_contribs``, in log-odds: positive pushes
toward "scam"). Feature names come from a model file, so they are cleaned like any other
untrusted text; their unit and meaning come from the one feature table
(:data:`claudedex.ml.features.FEATURES`), looked up lazily so the console starts without
importing the ML stack until a detail screen first shows a score.
"""

from __future__ import annotations

from functools import cache

from rich.console import Group
from rich.table import Table
from rich.text import Text

from claudedex.domain import Score
from tui.safe_text import clean

PUMP = "pump_probability"
TOP_K = 8
FEATURE_MAX = 28
DOC_MAX = 60
# Names the ensemble explains that are not rows of FEATURES (the model's own inputs).
EXTRA_DOCS = {"anomaly_score": ("score", "IsolationForest anomaly score of the features")}


@cache
def feature_docs() -> dict[str, tuple[str, str]]:
    """name -> (unit, doc) from the shared feature table (imported on first use only)."""
    from claudedex.ml.features import FEATURES

    docs = {f.name: (f.unit, f.doc) for f in FEATURES}
    docs.update(EXTRA_DOCS)
    return docs


def top_contributions(score: Score, k: int = TOP_K) -> list[tuple[str, float]]:
    """Feature contributions by falling magnitude, the pump probability left out."""
    items = [(name, value) for name, value in score.contributions if name != PUMP]
    items.sort(key=lambda item: -abs(item[1]))
    return items[:k]


def pump_probability(score: Score) -> float | None:
    for name, value in score.contributions:
        if name == PUMP:
            return value
    return None


def ml_section(score: Score | None) -> Group:
    """The renderable: a title, the headline figures, then one line per contribution."""
    title = Text("ML score", style="bold underline")
    if score is None:
        return Group(title, Text("no ML score yet (scored at the cut-off block)", style="dim"))
    p = score.scam_probability
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim")
    head.add_column()
    style = "bold red" if p >= 0.5 else "yellow" if p >= 0.2 else "green"
    head.add_row("scam probability", Text(f"{p:.1%}", style=style))
    head.add_row("model", Text(clean(score.model_version, 40) or "—"))
    pump = pump_probability(score)
    head.add_row("pump probability", Text("—" if pump is None else f"{pump:.1%}"))
    top = top_contributions(score)
    if not top:
        return Group(title, head, Text("no feature contributions recorded", style="dim"))
    docs = feature_docs()
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(style="dim", ratio=1, no_wrap=True, overflow="ellipsis")
    for name, value in top:
        unit, doc = docs.get(name, ("", ""))
        table.add_row(Text(f"{value:+.4f}", style="red" if value > 0 else "green"),
                      Text(clean(name, FEATURE_MAX)), Text(clean(unit, 8)),
                      Text(clean(doc, DOC_MAX)))
    caption = Text("top contributions (log-odds; + pushes toward scam)", style="dim")
    return Group(title, head, caption, table)
