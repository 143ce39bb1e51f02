"""Child process for the kill -9 test: executes one buy and hangs after signing.

argv: rpc_url private_key db_path token weth venues_json mode
mode "pooled": the transaction reaches the node (automine is off, so it waits there);
mode "unsent": the broadcaster never delivers it (killed between journal and send);
mode "reverted": pooled, on a profile with 2 confirmations; once the receipt's ``reverted``
is committed to the journal the process prints "REVERTED" and stops there (the engine never
journals ``confirming_revert``), to be killed in exactly that window.
Prints "SIGNED <hash>" once the raw transaction is journaled, then waits to be killed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from web3 import AsyncHTTPProvider, AsyncWeb3

from claudedex.bus import EventBus
from claudedex.clock import WallClock
from claudedex.config import load_profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.events import OrderUpdated
from claudedex.execution.engine import ExecutionEngine
from claudedex.execution.relay import PublicBroadcaster
from claudedex.execution.routing import VenueRef
from claudedex.storage import Database, OrderJournal
from claudedex.wallet.local import DevnetSigner


class NeverArrives:
    name = "never"

    async def send(self, raw: bytes) -> str:
        await asyncio.sleep(3600)
        return ""


class StopsAfterRevert(OrderJournal):
    """The real journal; the caller that committed a ``reverted`` entry never returns."""

    async def record(self, order_id: str, state: str, data: dict[str, Any]) -> None:
        await super().record(order_id, state, data)
        if state == "reverted":
            print("REVERTED", order_id, flush=True)
            await asyncio.Event().wait()  # until SIGKILL


async def main() -> None:
    rpc, key, db_path, token, weth, venues_json, mode = sys.argv[1:8]
    venues = [VenueRef(**v) for v in json.loads(venues_json)]
    db = Database(f"sqlite:///{db_path}")
    await db.open()
    journal = StopsAfterRevert(db) if mode == "reverted" else OrderJournal(db)
    await journal.start()
    w3 = AsyncWeb3(AsyncHTTPProvider(rpc))
    bus = EventBus()
    broadcaster = PublicBroadcaster(w3) if mode in ("pooled", "reverted") else NeverArrives()
    profile = load_profile("devnet")
    if mode == "reverted":
        profile = profile.model_copy(update={"chain": profile.chain.model_copy(
            update={"confirmations": 2})})
    engine = ExecutionEngine(bus, profile, w3, DevnetSigner(key), journal,
                             lambda: False, WallClock(), venues, weth, broadcaster=broadcaster)
    sub = bus.subscribe("child", [OrderUpdated.topic])

    async def report() -> None:
        async for ev in sub:
            if isinstance(ev, OrderUpdated) and ev.state == "broadcast":
                print("SIGNED", ev.tx_hash, flush=True)

    proposal = TradeProposal(id="crash", token=token, pair="", venue="uniswap", side=Side.BUY,
                             amount_in=10**16, min_amount_out=0, quote_value=0,  # type: ignore[arg-type]
                             slippage_bps=100, verdict=Verdict.SAFE)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(report())
        tg.create_task(engine.execute(proposal))


asyncio.run(main())
