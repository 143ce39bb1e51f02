"""`paper-ethereum`, unchanged, against `devnet --shape ethereum` (chain id 1, WETH and
Uniswap V2 at their mainnet addresses): the whole kernel runs with the PaperVenue.

A launch is discovered and judged, a proposal is approved, the PaperVenue fills it by
simulating the exact router call on the chain's state, the position and its P&L appear, a
real dump on the chain fires the stop-loss, and the automatic exit is paper-filled too. The
paper account never sends a transaction: its nonce and balance stay as they were.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from eth_account import Account

from claudedex.config import load_profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.events import (
    EquityMarked,
    OrderFilled,
    PositionChanged,
    ProposalDecided,
    RiskAssessed,
)
from claudedex.execution.venue import PAPER_ACCOUNT

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
E18 = 10**18


@pytest.fixture
def shaped_chain():
    from claudedex.devnet.testing import start_devnet_chain

    anvil, w3, deployment = start_devnet_chain(shape="ethereum", accounts=10)
    try:
        yield anvil, w3, deployment
    finally:
        anvil.stop()


async def next_event(sub, match, timeout_s: float = 60.0):
    async with asyncio.timeout(timeout_s):
        async for ev in sub:
            if match(ev):
                return ev
    raise AssertionError("subscription closed")


async def test_paper_fill_position_pnl_and_stop_loss_exit(shaped_chain, tmp_path: Path,
                                                          monkeypatch) -> None:
    from claudedex.devnet.uniswap import erc20_contract, router_contract
    from claudedex.devnet.zoo import deploy_family, launch

    anvil, w3, deployment = shaped_chain
    monkeypatch.setenv("CLAUDEDEX_ETH_RPC_URL", anvil.rpc_url)
    base = load_profile("paper-ethereum")
    assert base.mode == "paper" and base.chain.chain_id == 1
    offline = base.apis.model_copy(update={"goplus_url": "", "honeypot_url": "",
                                           "dexscreener_url": ""})
    profile = base.model_copy(update={"apis": offline})
    paper_nonce = w3.eth.get_transaction_count(PAPER_ACCOUNT)
    paper_balance = w3.eth.get_balance(PAPER_ACCOUNT)

    engine = Engine(profile, data_dir=tmp_path / "paper")
    sub = engine.events([RiskAssessed.topic, ProposalDecided.topic, OrderFilled.topic,
                         PositionChanged.topic, EquityMarked.topic], name="test")
    await engine.start()
    try:
        assert engine.kernel is not None and engine.kernel.venue.name == "paper"
        owner = Account.from_key(anvil.accounts[1].private_key)
        uni = deployment.venues["uniswap"].router
        token = deploy_family(w3, "honest_renounced", owner, name="Paper", symbol="PPR",
                              supply=10**24, rng=random.Random(7), deployment=deployment)
        launch(w3, token, uni, token_amount=5 * 10**23, eth_amount=10 * E18)
        address = str(token.address)
        report = (await next_event(sub, lambda e: isinstance(e, RiskAssessed)
                                   and e.report.token.lower() == address.lower()
                                   and (e.report.liquidity_quote or 0) > 0)).report

        proposal = TradeProposal(
            id=uuid.uuid4().hex, token=address, pair=report.pair, venue="", side=Side.BUY,
            amount_in=E18 // 10, min_amount_out=1, quote_value=Decimal("0.1"),
            slippage_bps=300, verdict=report.verdict, symbol="PPR", strategy="test")
        await engine.approvals.submit(proposal)  # as the queue does for TradeProposed
        if report.verdict is Verdict.SAFE:
            await engine.approve(proposal.id)
        else:
            await engine.override(proposal.id, accept_risky=True, confirmation="RISKY")
        buy = await next_event(sub, lambda e: isinstance(e, OrderFilled) and e.side == "buy")
        assert buy.amount_out > 0 and buy.tx_hash == ""  # filled on paper: no transaction
        position = await next_event(sub, lambda e: isinstance(e, PositionChanged)
                                    and e.amount == buy.amount_out)
        assert position.cost_quote == E18 // 10

        # A whale dumps a third of the pool: the mark falls past the 15 % stop-loss.
        whale = Account.from_key(anvil.accounts[2].private_key)
        dump = 4 * 10**23
        erc20_contract(w3, address).functions.transfer(whale.address, dump).transact(
            {"from": owner.address})
        erc20_contract(w3, address).functions.approve(uni, dump).transact(
            {"from": whale.address})
        router_contract(w3, deployment.venues["uniswap"]).functions.swapExactTokensForETH(
            dump, 0, [address, deployment.weth], whale.address, 2**40).transact(
            {"from": whale.address})

        exit_fill = await next_event(sub, lambda e: isinstance(e, OrderFilled)
                                     and e.side == "sell", timeout_s=90)
        assert exit_fill.amount_in == buy.amount_out and 0 < exit_fill.amount_out < E18 // 10
        closed = await next_event(sub, lambda e: isinstance(e, PositionChanged)
                                  and e.amount == 0)
        assert closed.realized_quote < 0  # the stop took the loss
        book = engine.kernel.portfolio.core.book
        assert book.realized < 0

        # Nothing left on paper: a sell of the same amount again is refused, not booked as
        # proceeds of tokens never held (the venue reads the portfolio's book)
        again = TradeProposal(
            id=uuid.uuid4().hex, token=address, pair=report.pair, venue="", side=Side.SELL,
            amount_in=buy.amount_out, min_amount_out=1, quote_value=Decimal("0"),
            slippage_bps=300, verdict=report.verdict, symbol="PPR", strategy="test")
        refused = await engine.kernel.execution.execute(again)
        assert "held on paper" in refused.detail, refused.detail
        assert book.realized == closed.realized_quote  # nothing booked
    finally:
        await engine.stop()
    assert w3.eth.get_transaction_count(PAPER_ACCOUNT) == paper_nonce
    assert w3.eth.get_balance(PAPER_ACCOUNT) == paper_balance
