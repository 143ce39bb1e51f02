"""Labelled examples from a recorded run: a devnet's labels.jsonl plus the chain and the
RiskReports the engine stored, observed at each launch's cut-off.

Why reports come from storage: a safety check run today reads today's state, so re-judging
an old token would leak the future into its features. Only a report judged at/before the
cut-off block is used; a later one (or none) leaves the safety features "unknown".
Paper/live history works the same way with labels an operator supplies (token, family, scam,
launch_block, pair) in the same JSONL shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from web3 import AsyncWeb3

from claudedex.domain import RiskReport
from claudedex.ml.datagen import LABEL_HORIZON
from claudedex.ml.dataset import Example
from claudedex.ml.features import CUTOFF_BLOCKS
from claudedex.ml.observe import future_max_ratio, observe

ReportLookup = Callable[[str], Awaitable[RiskReport | None]]


def launches(labels: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``launch`` records of a truth file, in launch order."""
    out = [r for r in labels if r.get("event") == "launch" and r.get("token") and r.get("pair")]
    return sorted(out, key=lambda r: (int(r["launch_block"]), int(r.get("index", 0))))


async def examples_from_run(
    w3: AsyncWeb3[Any],
    labels: Iterable[dict[str, Any]],
    *,
    quote: str,
    report_for: ReportLookup | None = None,
    cutoff_blocks: int = CUTOFF_BLOCKS,
    horizon: int = LABEL_HORIZON,
) -> list[Example]:
    """One Example per launch whose cut-off + label horizon the chain has passed."""
    head = await w3.eth.block_number
    out: list[Example] = []
    for i, rec in enumerate(launches(labels)):
        created = int(rec["launch_block"])
        cutoff = created + cutoff_blocks
        if cutoff + horizon > head:
            continue
        report = await report_for(str(rec["token"])) if report_for is not None else None
        if report is not None and report.block_number > cutoff:
            report = None  # judged after the cut-off: using it would be look-ahead
        obs = await observe(w3, token=str(rec["token"]), pair=str(rec["pair"]), quote=quote,
                            created_block=created, cutoff=cutoff, report=report,
                            creator=rec.get("owner"))
        price = obs.liq_cutoff / obs.token_res_cutoff if obs.token_res_cutoff else 0.0
        ratio = await future_max_ratio(w3, token=obs.token, pair=obs.pair, quote=quote,
                                       cutoff=cutoff, horizon=horizon, price_at_cutoff=price)
        out.append(Example(obs, str(rec["family"]), bool(rec["scam"]), ratio,
                           int(rec.get("index", i))))
    return out
