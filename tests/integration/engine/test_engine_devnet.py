"""The whole engine on the devnet: a launch is judged, an approved proposal is filled
with a signed transaction, and after the emergency stop nothing more is approved."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from claudedex.config import load_profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.errors import EngineHalted
from claudedex.events import OrderFilled, OrderUpdated, RiskAssessed, TradeProposed

pytestmark = [pytest.mark.anvil, pytest.mark.slow]


def devnet_profile() -> object:
    profile = load_profile("devnet")
    assert profile.devnet is not None
    fast = profile.devnet.model_copy(update={"launch_rate_per_min": Decimal(30), "seed": 3})
    # Snipers pile into fresh launches within the same block: a test that wants a fill
    # (not a correctly refused slippage) allows a wide bound.
    wide = profile.limits.model_copy(update={"max_slippage_bps": 2500})
    return profile.model_copy(update={"devnet": fast, "limits": wide})


async def test_launch_judged_approved_filled_then_halted(tmp_path: Path) -> None:
    engine = Engine(devnet_profile(), data_dir=tmp_path / "devnet")  # type: ignore[arg-type]
    events = engine.events([RiskAssessed.topic, OrderFilled.topic, OrderUpdated.topic],
                           name="test")
    await engine.start()
    assert engine.kernel is not None and engine.kernel.devnet is not None
    devnet_pid = engine.kernel.devnet.pid
    try:
        async with asyncio.timeout(150):
            while True:
                ev = await events.get()
                if (isinstance(ev, RiskAssessed) and ev.report.verdict is Verdict.SAFE
                        and (ev.report.liquidity_quote or 0) > 10**18):
                    report = ev.report
                    break
        # Snipers and whales trade the launch in the same blocks: an order may be refused
        # by its own slippage bound (a revert costing gas only). Try a few, as a user would.
        filled: OrderFilled | None = None
        for _attempt in range(4):
            proposal = TradeProposal(
                id=uuid.uuid4().hex, token=report.token, pair=report.pair, venue="",
                side=Side.BUY, amount_in=10**16, min_amount_out=1,
                quote_value=Decimal("0.01"), slippage_bps=2500, verdict=Verdict.SAFE,
                symbol="T", strategy="test")
            await engine.bus.publish(TradeProposed(proposal=proposal))
            async with asyncio.timeout(10):
                while not engine.pending_proposals():  # noqa: ASYNC110 - queue fills async
                    await asyncio.sleep(0.05)
            await engine.approve(proposal.id)
            async with asyncio.timeout(60):
                while True:
                    ev = await events.get()
                    if isinstance(ev, OrderUpdated) and ev.order_id.endswith(proposal.id):
                        if ev.state == "failed":
                            # refused by its slippage bound, or by a newer, worse verdict
                            assert "reverted" in ev.detail or "re-assessed" in ev.detail, (
                                ev.detail)
                            break
                    if isinstance(ev, OrderFilled):
                        filled = ev
                        break
            if filled is not None:
                break
        assert filled is not None, "no order filled in four attempts"
        assert filled.token.lower() == report.token.lower() and filled.amount_in == 10**16
        assert filled.amount_out > 0 and filled.tx_hash

        await engine.halt("test stop")
        second = dataclasses.replace(proposal, id="second")
        await engine.bus.publish(TradeProposed(proposal=second))
        async with asyncio.timeout(10):
            while not engine.pending_proposals():  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        with pytest.raises(EngineHalted):
            await engine.approve("second")
    finally:
        await engine.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(devnet_pid, 0)  # the anvil the engine started is gone
