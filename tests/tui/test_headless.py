"""Headless lines and the run summary: hostile names are cleaned, counts are right."""

from __future__ import annotations

from claudedex.domain import Verdict
from claudedex.events import EngineHaltChanged, PairDiscovered, RiskAssessed
from tui.headless import RunSummary, describe
from tui.sample_events import ESCAPE_NAME, LONG_NAME, MARKUP_NAME, pair_info, session


def test_lines_never_carry_escapes_or_huge_names() -> None:
    for name in (ESCAPE_NAME, LONG_NAME, MARKUP_NAME):
        line = describe(PairDiscovered(pair=pair_info(9, name, name, 1)))
        assert line is not None
        assert "\x1b" not in line and "\x07" not in line
        assert len(line) < 120


def test_summary_counts_the_session() -> None:
    summary = RunSummary(profile="devnet")
    for event in session():
        summary.observe(event)
    summary.observe(EngineHaltChanged(halted=True, reason="test", by="operator"))
    data = summary.as_dict()
    assert data["pairs"] == 6 and data["proposals"] == 3 and data["fills"] == 1
    assert data["verdicts"][Verdict.SAFE.value] == 2
    assert data["halted"] is True
    assert sum(isinstance(e, RiskAssessed) for e in session()) == 6
