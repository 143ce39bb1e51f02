"""`claudedex trade` refuses a trade every route of which moves the price past the limit.

The gate says so before anything is queued (exit 1, the numbers in the message, an audited
``trade_refused`` row, nothing signed); execution would refuse it again before signing.
On today's main the sell below filled at ~33 % price impact.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from eth_account import Account

from claudedex.config import load_profile
from tests.integration.execution.test_cli_gate import audit_rows
from tests.integration.execution.test_cli_trade import trade, write_manifest

pytestmark = pytest.mark.anvil
E18 = 10**18


def test_a_manual_sell_past_the_impact_limit_is_refused_with_the_numbers(chain) -> None:
    from claudedex.devnet.uniswap import erc20_contract
    from claudedex.devnet.zoo import deploy_family, launch

    account = next(chain.accounts)
    write_manifest(chain, account)
    owner = Account.from_key(chain.anvil.accounts[1].private_key)
    thin = deploy_family(chain.w3, "honest_ownable", owner, name="Thin", symbol="THN",
                         supply=10**6 * E18, rng=random.Random(11), deployment=chain.deployment)
    launch(chain.w3, thin, chain.deployment.venues["uniswap"].router,
           token_amount=100 * E18, eth_amount=E18 // 100)  # 0.01 ETH of depth
    erc20_contract(chain.w3, thin.address).functions.transfer(
        account.address, 50 * E18).transact({"from": owner.address})

    res = trade("sell", "--token", thin.address, "--amount", "50")
    assert res.exit_code == 1, res.output
    limit = load_profile("devnet").limits.max_price_impact_bps
    text = res.output + str(res.exception)
    assert "price impact" in text and f"over the limit {limit} bps" in text
    assert chain.w3.eth.get_transaction_count(account.address) == 0  # nothing signed
    refused = asyncio.run(audit_rows("trade_refused"))
    assert refused[-1]["token"].lower() == thin.address.lower()
    assert "price impact" in refused[-1]["reason"]
