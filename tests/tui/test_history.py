"""The console's history model: each sell's P&L from the average cost, exits with their
rule and outcome, a failed exit flagged once, stored fills restored."""

from __future__ import annotations

from decimal import Decimal

from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.events import OrderFilled, OrderUpdated, ProposalDecided, SignalDecided
from tui.history import History

ETH = 10**18
TOKEN = "0x" + "cd" * 20


def fill(order: str, side: str, amount_in: int, amount_out: int, gas: int = 0) -> OrderFilled:
    return OrderFilled(order_id=order, token=TOKEN, side=side, amount_in=amount_in,
                       amount_out=amount_out, gas_cost_wei=gas, tx_hash="0x1", block_number=1)


def exit_proposal(pid: str) -> TradeProposal:
    return TradeProposal(id=pid, token=TOKEN, pair="0xP", venue="uniswap", side=Side.SELL,
                         amount_in=ETH, min_amount_out=1, quote_value=Decimal("0.1"),
                         slippage_bps=300, verdict=Verdict.SAFE, symbol="TKN",
                         strategy="exit", reason="stop_loss -15%")


def test_a_sell_gets_its_pnl_from_the_average_cost() -> None:
    history = History()
    history.apply(fill("o-1", "buy", ETH, 1_000 * ETH))  # 1 ETH for 1,000 tokens
    history.apply(fill("o-2", "buy", 3 * ETH, 1_000 * ETH))  # 3 ETH for 1,000 more
    history.apply(fill("o-3", "sell", 1_000 * ETH, 3 * ETH, gas=10**15))  # half, avg cost 2
    trades = history.trades()
    assert [t.order_id for t in trades] == ["o-3", "o-2", "o-1"]  # newest first
    assert trades[0].pnl_quote == ETH - 10**15  # 3 out - 2 cost - gas
    assert trades[1].pnl_quote is None  # buys have no P&L of their own


def test_an_exit_keeps_its_rule_and_a_failure_is_flagged_once() -> None:
    history = History()
    history.apply(ProposalDecided(proposal_id="x-1", decision="approved", by="auto:exit",
                                  proposal=exit_proposal("x-1")))
    assert history.apply(OrderUpdated(order_id="o-x-1", state="failed",
                                      detail="reverted")) == "exit_failed"
    assert history.apply(OrderUpdated(order_id="o-x-1", state="failed")) == "changed"
    (row,) = history.exits()
    assert (row.reason, row.state, row.detail) == ("stop_loss -15%", "failed", "reverted")


def test_decisions_and_restored_fills() -> None:
    history = History()
    history.restore([fill("o-1", "buy", ETH, 10 * ETH), fill("o-2", "sell", 10 * ETH, 2 * ETH)])
    assert history.trades()[0].pnl_quote == ETH
    history.apply(SignalDecided(token=TOKEN, side="buy", strategy="momentum",
                                outcome="dropped", reason="tax: sell tax 15%"))
    assert history.decisions[-1].reason == "tax: sell tax 15%"
