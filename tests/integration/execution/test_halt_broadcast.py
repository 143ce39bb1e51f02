"""A halt also stops the *broadcast* of a signature that never left the process.

The guard refuses to sign once halted, but a transaction signed an instant before the halt
is journaled and only then sent. If the operator halts in between (or the engine restarts
halted with such a transaction in its journal), sending it would trade after the emergency
stop. Nobody else holds those bytes, so discarding them is safe: the order fails, its nonce
is given back, and nothing reaches the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil


class Hooked:
    """The real journal, with one action run when ``state`` is recorded."""

    def __init__(self, inner: Any, state: str, action: Any) -> None:
        self.inner = inner
        self.state = state
        self.action = action

    async def record(self, order_id: str, state: str, data: dict[str, Any]) -> None:
        if state == self.state and self.action is not None:
            action, self.action = self.action, None
            action()
        await self.inner.record(order_id, state, data)

    async def record_many(self, entries: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        for entry in entries:  # one by one through record(): its fault applies to each
            await self.record(*entry)

    async def history(self, order_id: str) -> Sequence[Any]:
        return list(await self.inner.history(order_id))

    async def seen(self, order_id: str) -> bool:
        return bool(await self.inner.seen(order_id))

    async def open_orders(self) -> Sequence[Any]:
        return list(await self.inner.open_orders())


async def test_halt_between_signing_and_sending_sends_nothing(make_rig, chain,
                                                              make_proposal) -> None:
    rig = await make_rig()

    def operator_halts() -> None:  # the signature is being journaled: the guard has passed
        rig.halt.set(True, "emergency stop", "operator")

    rig.engine.journal = Hooked(rig.journal, "signed", operator_halts)
    order = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert order.state is OrderState.FAILED, order.detail
    assert "halted" in order.detail
    states = await rig.history(order.id)
    assert "broadcast" not in states and states[-2:] == ["signed", "failed"]
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 0
    assert chain.w3.eth.get_transaction_count(rig.account.address, "pending") == 0
    # after resume the discarded nonce is used again: no gap blocks later orders
    rig.halt.set(False, "", "operator")
    nxt = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert nxt.state is OrderState.FILLED, nxt.detail
    assert nxt.nonce == 0


class ProcessDied(BaseException):
    """Stands for kill -9 at that instant: nothing after it runs in the first process."""


async def test_restart_while_halted_does_not_send_a_journaled_signature(
        make_rig, chain, make_proposal, tmp_path) -> None:
    account = next(chain.accounts)
    db_path = tmp_path / "withheld.db"
    first = await make_rig(account=account, db_path=db_path)

    def crash() -> None:  # the process dies right after journaling the signature
        raise ProcessDied

    first.engine.journal = Hooked(first.journal, "broadcast", crash)
    proposal = make_proposal(chain.plain, "buy", 10**16)
    with pytest.raises(ProcessDied):
        await first.engine.execute(proposal)
    assert (await first.history(f"o-{proposal.id}"))[-1] == "signed"

    second = await make_rig(account=account, db_path=db_path)
    second.halt.set(True, "emergency stop", "operator")
    recovered = await second.engine.recover()
    assert [o.state for o in recovered] == [OrderState.FAILED]
    assert chain.w3.eth.get_transaction_count(account.address, "pending") == 0
    states = await second.history(f"o-{proposal.id}")
    assert "broadcast" not in states and states[-1] == "failed"
