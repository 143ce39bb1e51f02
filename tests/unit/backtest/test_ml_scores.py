"""The ai strategy in a backtest acts on the recorded ML scores, exactly as the engine saw them.

Scores are never recomputed in a replay (the features need chain reads at each token's
cut-off block); the engine's HistoryRecorder writes each TokenScored as a "score" line and
the replay hands that very Score to the strategy's MarketView.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from claudedex.backtest.data import swap_events
from claudedex.backtest.recorder import HistoryRecorder
from claudedex.backtest.replay import Backtest
from claudedex.backtest.sample import sample_rows
from claudedex.bus import EventBus
from claudedex.domain import Score, Side
from claudedex.events import TokenScored
from tests.unit.backtest.helpers import profile

ROOT = Path(__file__).resolve().parents[3]
SCORE = Score(token="0xabc", scam_probability=0.0731,
              contributions=(("sell_tax_bps", -0.91), ("n_sells", 0.25),
                             ("pump_probability", 0.8123)),
              model_version="20261125-xgb-ens")


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rows(scam: dict[int, float] | None = None) -> list[dict[str, object]]:
    rows = list(sample_rows(swaps=900))
    for row in rows:
        if row["kind"] == "score" and scam is not None:
            row["scam_probability"] = scam.get(int(str(row["token"]), 16) - 0xA0,
                                               row["scam_probability"])
    return rows


def test_recorded_score_replays_as_the_same_score(tmp_path: Path) -> None:
    recorder = HistoryRecorder(EventBus(), tmp_path / "h.jsonl")
    fh = io.StringIO()
    recorder.write(fh, TokenScored(score=SCORE, ts=5.0))
    path = tmp_path / "h.jsonl"
    path.write_text(fh.getvalue(), encoding="utf-8")
    [event] = list(swap_events(path))
    assert isinstance(event, TokenScored) and event.score == SCORE


def test_ai_backtest_trades_on_score_lines_only(tmp_path: Path) -> None:
    prof = profile("ai")
    scored = Backtest(prof).run_events(swap_events(_write(tmp_path / "a.jsonl", _rows())))
    assert scored.scores == 2
    buys = {p.token for p in scored.proposals if p.side is Side.BUY}
    assert buys == {f"0x{0xA0:040x}", f"0x{0xA1:040x}"}
    assert all(p.ml_score is not None for p in scored.proposals if p.side is Side.BUY)

    # token 1 scored as a likely scam: the same history, one number changed, no entry there
    risky = Backtest(prof).run_events(
        swap_events(_write(tmp_path / "b.jsonl", _rows({1: 0.93}))))
    assert {p.token for p in risky.proposals if p.side is Side.BUY} == {f"0x{0xA0:040x}"}

    bare = [r for r in _rows() if r["kind"] != "score"]
    unscored = Backtest(prof).run_events(swap_events(_write(tmp_path / "c.jsonl", bare)))
    assert unscored.scores == 0 and unscored.proposals == [] and unscored.fills == []


def test_cli_warns_when_ai_has_no_scores(tmp_path: Path) -> None:
    bare = _write(tmp_path / "bare.jsonl", [r for r in _rows() if r["kind"] != "score"])
    out = subprocess.run([sys.executable, "-m", "cli.main", "backtest", "--data", str(bare),
                          "--strategy", "ai", "--json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "no 'score' lines" in out.stderr
    assert json.loads(out.stdout)["proposals"] == 0
