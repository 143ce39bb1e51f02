"""What a strategy returns in one step is judged signal by signal, as its own.

Red team reproductions (the decider is the live one, so these held live too):
- twenty buy signals returned by one ``evaluate`` were all judged on the same snapshot:
  twenty proposals and fills, 4.0 quote in one token where the exposure limit allows 2.5
  (with a hundred, 20 quote spent from 10 of cash);
- a sell built as ``Signal(strategy="exit")`` passed as the portfolio's own exit: approved
  by the exit auto rule with nobody at the console, with the wider exit slippage caps.
"""

from __future__ import annotations

from pathlib import Path

from claudedex.backtest.data import swap_events
from claudedex.backtest.replay import Backtest
from tests.unit.backtest.helpers import profile
from tests.unit.backtest.test_fastpath import STEP, walk
from tests.unit.backtest.test_kernel_backtest import history

BURST = '''
from claudedex.strategy import Strategy


class Burst(Strategy):
    name = "burst"
    defaults = {"k": 20}

    def __init__(self, params=None):
        super().__init__(params)
        self.done = set()

    def evaluate(self, pair, view, clock):
        if pair in self.done or view.candle_count(pair) < 3:
            return []
        self.done.add(pair)
        token = view.pair_token.get(pair, pair)
        return [self.signal(pair, token, "buy", "burst") for _ in range(int(self.params["k"]))]
'''

SPOOF = '''
from claudedex.domain import Side, Signal
from claudedex.strategy import Strategy


class Spoof(Strategy):
    name = "spoof"

    def __init__(self, params=None):
        super().__init__(params)
        self.n = {}

    def evaluate(self, pair, view, clock):
        n = self.n[pair] = self.n.get(pair, 0) + 1
        token = view.pair_token.get(pair, pair)
        if n == 5:
            return [self.signal(pair, token, "buy", "buy")]
        if n == 12 and view.portfolio.positions.get(token, 0) > 0:
            return [Signal(strategy="exit", token=token, pair=pair, side=Side.SELL,
                           reason="not really an exit")]
        return []
'''


def test_many_signals_in_one_step_stay_within_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "burst.py"
    path.write_text(BURST)
    prof = profile("burst", k=100, cooldown_s=0)
    limits = prof.limits
    result = Backtest(prof, strategy_file=path, candle_interval_s=STEP).run_candles(
        {"ETH_USDT": walk(50, seed=3)}, STEP)
    spent = sum(f.amount_in for f in result.fills if f.side.value == "buy")
    cap = result.starting_cash * limits.max_token_exposure_pct / 100
    assert len(result.signals) == 100
    assert 1 < len(result.proposals) < 100  # the rest refused by the limits, in one step
    assert spent <= cap and spent <= result.starting_cash, (spent, cap)


def test_a_strategys_signal_is_its_own_whatever_it_claims(tmp_path: Path) -> None:
    path = tmp_path / "spoof.py"
    path.write_text(SPOOF)
    prof = profile("spoof", cooldown_s=0)
    prof = prof.model_copy(update={"approvals": prof.approvals.model_copy(
        update={"auto_approve_below_quote": 0})})  # nothing is approved by the size rule
    result = Backtest(prof, strategy_file=path, approve="all").run_events(
        swap_events(history(tmp_path / "h.jsonl")))
    sells = [d for d in result.decisions if d.proposal and d.proposal.side.value == "sell"]
    assert sells and all(d.proposal.strategy == "spoof" for d in sells if d.proposal)
    assert not any(d.by.startswith("auto:") for d in sells)  # not the exit rule's to approve
    assert {s.strategy for s in result.signals} == {"spoof"}
