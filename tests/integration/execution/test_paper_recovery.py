"""A paper engine finding signed orders in its journal neither watches nor rebroadcasts them.

Why: a data dir is per profile name, so a live profile copied to ``mode = "paper"`` under
its name shares the live run's journal. Crash recovery rebroadcasts a signed order's raw
bytes while its nonce is free; from a paper process that would send a real transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from eth_account import Account

from claudedex.domain import Side
from claudedex.events import AlertRaised
from claudedex.execution.order import Order, TxAttempt
from claudedex.execution.states import OrderState

pytestmark = [pytest.mark.anvil]


async def test_paper_recovery_leaves_a_live_runs_signed_order_alone(
        make_rig, chain, tmp_path) -> None:
    from claudedex.execution.paper import PaperVenue

    payer = Account.from_key(chain.anvil.accounts[3].private_key)
    nonce = chain.w3.eth.get_transaction_count(payer.address)
    signed = payer.sign_transaction({
        "to": payer.address, "value": 1, "gas": 21_000, "nonce": nonce, "chainId": 31337,
        "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9})
    tx_hash = "0x" + signed.hash.hex().removeprefix("0x")
    order = Order(id=uuid.uuid4().hex, proposal_id="p", side=Side.BUY,
                  token=chain.deployment.weth, amount_in=1, state=OrderState.BROADCAST,
                  attempts=[TxAttempt(tx_hash, "0x" + signed.raw_transaction.hex()
                                      .removeprefix("0x"), nonce, 10**11, 10**9, 21_000)])
    journal_db = tmp_path / "shared.db"
    live = await make_rig(db_path=journal_db)  # the signing run that journaled it, then died
    await live.journal.record(order.id, str(OrderState.BROADCAST), order.snapshot())

    probe = await make_rig()
    paper = await make_rig(db_path=journal_db,
                           venue=PaperVenue(probe.aw3, chain.deployment.weth))
    alerts = paper.bus.subscribe("test", [AlertRaised.topic])
    resumed: list[Any] = await paper.engine.recover()

    assert resumed == []  # not followed: nothing watched, nothing rebroadcast
    alert = alerts.get_nowait()
    assert alert is not None and order.id in alert.message and "sends nothing" in alert.message
    assert chain.w3.eth.get_transaction_count(payer.address) == nonce  # never sent
    with pytest.raises(Exception, match="not found"):
        chain.w3.eth.get_transaction(tx_hash)
