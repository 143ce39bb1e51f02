"""The states a fill passes through when confirmations are due, and the watch's verdicts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from claudedex.domain import Side
from claudedex.execution.finality import Finality, FinalityWatch
from claudedex.execution.order import Order
from claudedex.execution.states import (
    ON_CHAIN_POSSIBLE,
    TERMINAL,
    IllegalTransition,
    OrderState,
    check_transition,
)

S = OrderState


def test_confirming_is_between_mined_and_filled_and_a_reorg_is_watched_again() -> None:
    check_transition(S.MINED, S.CONFIRMING)
    check_transition(S.CONFIRMING, S.FILLED)
    check_transition(S.CONFIRMING, S.REORGED)
    for nxt in (S.MINED, S.BROADCAST, S.REPLACED, S.DROPPED, S.FAILED):
        check_transition(S.REORGED, nxt)
    with pytest.raises(IllegalTransition):
        check_transition(S.CONFIRMING, S.FAILED)  # a fill is never declared failed
    with pytest.raises(IllegalTransition):
        check_transition(S.REORGED, S.SIGNED)  # never re-signed
    assert S.FILLED in TERMINAL and S.CONFIRMING not in TERMINAL
    assert S.REORGED in ON_CHAIN_POSSIBLE


class Eth:
    """A node whose chain is a dict of block number -> hash (the test edits it)."""

    def __init__(self, blocks: dict[int, str]) -> None:
        self.blocks = blocks

    @property
    async def block_number(self) -> int:
        return max(self.blocks)

    async def get_block(self, number: int) -> dict[str, Any]:
        return {"hash": bytes.fromhex(self.blocks[number][2:])}


class W3:
    def __init__(self, blocks: dict[int, str]) -> None:
        self.eth = Eth(blocks)


def order_in(block: int, block_hash: str) -> Order:
    return Order(id="o", proposal_id="p", side=Side.BUY, token="0x" + "11" * 20,
                 amount_in=1, block_number=block, block_hash=block_hash)


def test_the_watch_says_final_or_reorged() -> None:
    a, b = "0x" + "aa" * 32, "0x" + "bb" * 32
    buried = W3({10: a, 11: b, 12: b})
    assert asyncio.run(FinalityWatch(buried, 2, 0.0).settle(order_in(10, a))) is Finality.FINAL
    replaced = W3({10: b, 11: b})
    assert asyncio.run(FinalityWatch(replaced, 2, 0.0).settle(order_in(10, a))) \
        is Finality.REORGED
    # a head below the fill's block is only a wait (a lagging node shows the same) ...
    shortened = W3({8: b, 9: b})
    watch = FinalityWatch(shortened, 2, 0.0)
    assert asyncio.run(watch._look(order_in(10, a))) is None
    # ... until another block stands at the fill's height
    shortened.eth.blocks[10] = b
    assert asyncio.run(watch.settle(order_in(10, a))) is Finality.REORGED
