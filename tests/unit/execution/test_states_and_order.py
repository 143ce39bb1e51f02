"""The order state machine and its journal snapshot."""

from __future__ import annotations

import pytest

from claudedex.domain import Side
from claudedex.execution.order import Order, TxAttempt
from claudedex.execution.states import (
    ALLOWED,
    TERMINAL,
    IllegalTransition,
    OrderState,
    check_transition,
)

S = OrderState


def test_happy_path_is_allowed_in_order() -> None:
    path = [S.INTENT, S.RISK_APPROVED, S.OPERATOR_APPROVED, S.JOURNALED, S.SIGNED,
            S.BROADCAST, S.MINED, S.FILLED]
    for a, b in zip(path, path[1:], strict=False):
        check_transition(a, b)


@pytest.mark.parametrize("a,b", [(S.INTENT, S.SIGNED), (S.JOURNALED, S.BROADCAST),
                                 (S.SIGNED, S.CANCELLED), (S.FILLED, S.FAILED),
                                 (S.BROADCAST, S.CANCELLED)])
def test_skips_and_cancel_after_signing_are_refused(a: S, b: S) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(a, b)


def test_terminal_states_have_no_exit() -> None:
    assert TERMINAL == {S.FILLED, S.FAILED, S.CANCELLED, S.SIMULATED}
    assert all(ALLOWED[s] == frozenset() for s in TERMINAL)


def test_snapshot_round_trips_big_amounts_exactly() -> None:
    order = Order(id="o-1", proposal_id="1", side=Side.SELL, token="0xabc",
                  amount_in=2**200 + 1, expected_out=10**30 + 7, amount_out_min=10**30)
    order.attempts.append(TxAttempt("0xh", "0xraw", 5, 2**70, 10**9, 300_000, 2))
    order.move(S.RISK_APPROVED)
    data = order.snapshot()
    assert data["amount_in"] == str(2**200 + 1)
    back = Order.from_snapshot(data)
    assert back == order
    assert back.nonce == 5 and back.hashes == ["0xh"]


def test_snapshot_since_is_the_snapshot_when_only_state_and_detail_moved() -> None:
    order = Order(id="o-2", proposal_id="2", side=Side.BUY, token="0xabc", amount_in=10**22,
                  expected_out=10**20, amount_out_min=9 * 10**19, deadline=1_700_000_000)
    order.attempts.append(TxAttempt("0xh", "0xraw", 5, 2**70, 10**9, 300_000, 2))
    earlier = order.snapshot()
    order.move(S.RISK_APPROVED, "verdict safe")
    later = order.snapshot_since(earlier)
    assert later == order.snapshot()
    assert list(later) == list(order.snapshot())  # same key order: the same JSON text
    assert earlier["state"] == "intent" and earlier["detail"] == ""  # the earlier one kept
    later["attempts"][0]["broadcasts"] = 9  # nothing shared with the earlier entry
    assert earlier["attempts"][0]["broadcasts"] == 2
