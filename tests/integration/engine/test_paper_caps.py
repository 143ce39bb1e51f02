"""Paper spends the signer's caps as a live send does (GuardedSigner.authorize).

Red team reproduction: twelve paper buys of 0.2 ETH (each closed again) booked 2.4 ETH of
buys against `daily_cap_quote` = 2 and left no `spend.json`: nothing signs on paper, so
the signer's caps were never asked, and paper was rosier than live, which refuses at 2.
Now the paper venue has the signer check each swap without a signature and count it.
"""

from __future__ import annotations

import json
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from eth_account import Account

from claudedex.config import load_profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.execution.states import OrderState
from claudedex.execution.venue import PAPER_ACCOUNT
from tests.integration.engine.test_paper_ethereum import shaped_chain  # noqa: F401 - fixture

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
E18 = 10**18


async def test_paper_buys_stop_at_the_daily_cap_and_a_trade_over_the_per_trade_cap(
        shaped_chain, tmp_path: Path, monkeypatch) -> None:  # noqa: F811 - the fixture
    from claudedex.devnet.zoo import deploy_family, launch

    anvil, w3, deployment = shaped_chain
    monkeypatch.setenv("CLAUDEDEX_ETH_RPC_URL", anvil.rpc_url)
    base = load_profile("paper-ethereum")
    offline = base.apis.model_copy(update={"goplus_url": "", "honeypot_url": "",
                                           "dexscreener_url": ""})
    profile = base.model_copy(update={"apis": offline})
    daily, per_trade = profile.limits.daily_cap_quote, profile.limits.max_trade_quote
    assert (daily, per_trade) == (Decimal(2), Decimal("0.5"))
    owner = Account.from_key(anvil.accounts[1].private_key)
    token = deploy_family(w3, "honest_renounced", owner, name="Cap", symbol="CAP",
                          supply=10**24, rng=random.Random(3), deployment=deployment)
    launch(w3, token, deployment.venues["uniswap"].router, token_amount=5 * 10**23,
           eth_amount=100 * E18)
    address = str(token.address)

    engine = Engine(profile, data_dir=tmp_path / "paper", serve_control=False)
    await engine.start()
    try:
        assert engine.kernel is not None and engine.kernel.venue.name == "paper"

        async def buy(amount: int) -> object:
            proposal = TradeProposal(
                id=uuid.uuid4().hex, token=address, pair="", venue="", side=Side.BUY,
                amount_in=amount, min_amount_out=1, quote_value=Decimal(amount) / E18,
                slippage_bps=300, verdict=Verdict.SAFE, strategy="test")
            assert engine.kernel is not None
            return await engine.kernel.execution.execute(proposal)

        over = await buy(6 * E18 // 10)  # 0.6 ETH in one trade: over the 0.5 per-trade cap
        assert over.state is OrderState.FAILED and "per-trade cap" in over.detail, over.detail
        states = [(await buy(4 * E18 // 10)).state for _ in range(6)]  # 6 x 0.4 = 2.4 ETH
    finally:
        await engine.stop()
    assert states == [OrderState.FILLED] * 5 + [OrderState.FAILED]  # 2.0 ETH, then refused
    spent = json.loads((tmp_path / "paper" / "spend.json").read_text())
    assert spent  # counted where live counts it, so a restart keeps the day's total
    assert w3.eth.get_transaction_count(PAPER_ACCOUNT) == 0  # nothing was ever sent
