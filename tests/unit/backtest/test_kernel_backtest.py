"""The backtest is the live kernel on a simulated venue: approvals, taxes, min-out, params.

Each test replays a small hand-written history (one pool, exact reserves) with a strategy
that buys at a chosen tick and sells at a later one, so what the kernel does with the
order (approve it or not, fill it on which reserves, with which tax) is checked exactly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from claudedex.amm import expected_output
from claudedex.backtest.data import swap_events
from claudedex.backtest.replay import Backtest, BacktestResult
from claudedex.backtest.simvenue import SimConfig
from claudedex.clock import Clock
from claudedex.domain import Side, Signal
from claudedex.errors import UserInputError
from claudedex.market.view import MarketView
from claudedex.strategy import Strategy
from claudedex.strategy.registry import BUILTIN

from .helpers import profile

ROOT = Path(__file__).resolve().parents[3]
WEI = 10**18
PAIR, TOKEN = "0x" + "b0" * 20, "0x" + "a0" * 20
BUY_AT, SELL_AT = 5, 12  # ticks


class Scripted(Strategy):
    """Buys on tick ``BUY_AT`` and sells on tick ``SELL_AT`` (counted per pair)."""

    name: ClassVar[str] = "scripted"
    ticks: ClassVar[dict[str, int]] = {}

    def evaluate(self, pair: str, view: MarketView, clock: Clock) -> list[Signal]:
        n = Scripted.ticks[pair] = Scripted.ticks.get(pair, 0) + 1
        token = view.pair_token.get(pair, pair)
        if n == BUY_AT:
            return [self.signal(pair, token, "buy", "scripted buy")]
        if n == SELL_AT and view.portfolio.positions.get(token, 0) > 0:
            return [self.signal(pair, token, "sell", "scripted sell")]
        return []


@pytest.fixture(autouse=True)
def _scripted() -> Any:
    BUILTIN["scripted"] = Scripted
    Scripted.ticks = {}
    yield
    del BUILTIN["scripted"]


def history(path: Path, *, verdict: str = "safe", buy_tax: int = 0, sell_tax: int = 0,
            jump_at: int | None = None, ticks: int = 20) -> Path:
    """One pool drifting up 0.5 % a tick; ``jump_at``: that tick's price is 20 % higher."""
    rows: list[dict[str, Any]] = [
        {"kind": "report", "ts": 1000, "block": 1, "token": TOKEN, "pair": PAIR,
         "verdict": verdict, "buy_tax_bps": buy_tax, "sell_tax_bps": sell_tax},
        {"kind": "block", "ts": 1000, "block": 1, "base_fee_wei": 2 * 10**9}]
    quote = 100 * WEI
    for n in range(1, ticks + 1):
        tokens = quote * 1000 * 1000 // (1000 + 5 * n)
        if n == jump_at:
            tokens = tokens * 100 // 120
        rows.append({"kind": "sync", "ts": 1000 + 12 * n, "block": 1 + n, "pair": PAIR,
                     "token": TOKEN, "reserve_token": str(tokens),
                     "reserve_quote": str(quote)})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def replay(path: Path, approve: str = "auto", latency: int = 0) -> BacktestResult:
    Scripted.ticks = {}
    return Backtest(profile("scripted", cooldown_s=0), venue=SimConfig(latency_blocks=latency),
                    approve=approve).run_events(swap_events(path))


def reserves_at(path: Path, tick: int) -> tuple[int, int]:
    row = [json.loads(line) for line in path.read_text().splitlines()][1 + tick]
    return int(row["reserve_token"]), int(row["reserve_quote"])


def test_fills_are_the_kernels_orders_with_recorded_taxes_and_gas(tmp_path: Path) -> None:
    path = history(tmp_path / "h.jsonl", buy_tax=300, sell_tax=500)
    result = replay(path, latency=1)
    buy, sell = result.fills
    assert (buy.side, sell.side) == (Side.BUY, Side.SELL) and not buy.reverted
    # placed on tick 5's reserves, filled one block later on tick 6's, less the buy tax
    r_token, r_quote = reserves_at(path, BUY_AT + 1)
    assert buy.amount_out == expected_output(buy.amount_in, r_quote, r_token, 30,
                                             out_tax_bps=300)
    r_token, r_quote = reserves_at(path, SELL_AT + 1)
    assert sell.amount_in == buy.amount_out  # the whole position, as the portfolio holds it
    assert sell.amount_out == expected_output(sell.amount_in, r_token, r_quote, 30,
                                              in_tax_bps=500)
    assert buy.gas_cost_wei == 150_000 * 2 * 10**9  # the recorded base fee
    # the default: the reserves the order was planned on (a recording holds its own swaps)
    [at_plan, _] = replay(path).fills
    r_token, r_quote = reserves_at(path, BUY_AT)
    assert at_plan.amount_out == expected_output(buy.amount_in, r_quote, r_token, 30,
                                                 out_tax_bps=300)
    assert result.gas_paid == 2 * buy.gas_cost_wei
    assert result.approvals["approved by auto rule"] == 2  # below the profile's threshold


def test_a_fill_is_never_below_the_approved_min_out(tmp_path: Path) -> None:
    # the price jumps 20 % the block after the buy was planned: beyond the slippage bound
    path = history(tmp_path / "h.jsonl", jump_at=BUY_AT + 1)
    result = replay(path, latency=1)
    [buy] = result.fills
    assert buy.reverted and buy.amount_out == 0 and "below min-out" in buy.detail
    assert result.realized == 0 and result.gas_paid == 0  # no position, as live: failed
    assert not any(result.exposed)


def test_proposals_left_to_the_operator_follow_the_approve_flag(tmp_path: Path) -> None:
    path = history(tmp_path / "h.jsonl")
    no_rule = profile("scripted").approvals.model_copy(update={"auto_approve_below_quote": 0})

    def run(approve: str) -> BacktestResult:
        prof = profile("scripted", cooldown_s=0)
        prof = prof.model_copy(update={"approvals": no_rule})
        Scripted.ticks = {}
        return Backtest(prof, approve=approve).run_events(swap_events(path))

    waited = run("auto")
    assert waited.fills == [] and waited.approvals == {"expired (left to the operator)": 1}
    rejected = run("none")
    assert rejected.fills == [] and rejected.approvals == {"rejected by --approve none": 1}
    approved = run("all")
    assert [f.side for f in approved.fills] == [Side.BUY, Side.SELL]
    assert approved.approvals == {"approved by --approve all": 2}


def test_safe_leaves_risky_buys_out_and_all_overrides_them(tmp_path: Path) -> None:
    path = history(tmp_path / "h.jsonl", verdict="risky")
    safe = replay(path, approve="safe")
    assert safe.fills == [] and safe.approvals == {"rejected by --approve safe": 1}
    every = replay(path, approve="all")
    assert every.fills and every.fills[0].side is Side.BUY
    assert every.approvals["overridden by --approve all"] == 1


def test_an_unknown_approve_word_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="--approve 'maybe'"):
        Backtest(profile(), approve="maybe")


def test_a_strategy_file_runs_with_the_default_profile(tmp_path: Path) -> None:
    """The devnet profile's momentum knobs (ema_fast ...) are not handed to the file's
    strategy; its own parameter still is, and a typo is still refused by name."""
    strategy = tmp_path / "mine.py"
    strategy.write_text(
        "from typing import Any, ClassVar\n"
        "from claudedex.strategy import Strategy\n"
        "class Mine(Strategy):\n"
        "    name: ClassVar[str] = 'mine'\n"
        "    defaults: ClassVar[dict[str, Any]] = {'depth': 3}\n"
        "    def evaluate(self, pair, view, clock):\n"
        "        return []\n")
    path = history(tmp_path / "h.jsonl")

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli.main", "backtest", "--data", str(path), "--strategy",
             "mine", "--strategy-file", str(strategy), "--json", *extra],
            cwd=ROOT, capture_output=True, text=True, timeout=300)

    ok = run("--param", "depth=5")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["steps"] == 20
    typo = run("--param", "dpeth=5")
    assert typo.returncode == 2
    assert "unknown parameter 'dpeth'" in typo.stderr and "Traceback" not in typo.stderr
