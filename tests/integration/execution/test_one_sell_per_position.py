"""A strategy sell and a stop exit of one position, approved 1-2 ms apart, sell once.

Reproduction from a devnet run: both were journaled and auto-approved, and both were sent
(4 times in 5 minutes). Execution now refuses a second sell of a token while one is in flight.
"""

from __future__ import annotations

import asyncio

import pytest

from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil


async def test_a_second_sell_in_flight_is_cancelled_not_sent(make_rig, chain,
                                                             make_proposal) -> None:
    rig = await make_rig()
    bought = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert bought.state is OrderState.FILLED
    held = bought.amount_out
    strategy_sell = make_proposal(chain.plain, "sell", held // 2)
    stop_exit = make_proposal(chain.plain, "sell", held)
    first, second = await asyncio.gather(rig.engine.execute(strategy_sell),
                                         rig.engine.execute(stop_exit))
    assert first.state is OrderState.FILLED
    assert second.state is OrderState.CANCELLED and "already in flight" in second.detail
    assert await rig.history(second.id) == ["intent", "cancelled"]
    # buy, approve, one sell: the stop is free to fire again on the next mark
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 3
    again = await rig.engine.execute(make_proposal(chain.plain, "sell", held - held // 2))
    assert again.state is OrderState.FILLED
