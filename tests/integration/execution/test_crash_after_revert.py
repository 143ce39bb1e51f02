"""kill -9 right after a swap's ``reverted`` is journaled, with confirmations due: restart.

Reproduction: with ``confirmations`` above 0 a reverted swap is journaled ``reverted`` and
then ``confirming_revert`` while its block is buried (a reorg may still land the same signed
transaction). The journal counted ``reverted`` as terminal, so a process killed between the
two writes left an order that recovery never looked at again: when the block was then
reorged and the transaction landed, the wallet held tokens no position knew of. Now a
journaled ``reverted`` is still open; recovery confirms it from the journaled receipt's
block (never from a fresh receipt, which after a reorg may be the success): ``failed`` once
buried, or ``reorged`` and booked as one fill if the same transaction landed elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from claudedex.events import OrderFilled
from claudedex.execution.states import OrderState

from .test_reorg_after_fill import confirming_profile, mine_until_done, token_balance
from .test_reorg_after_revert import manual_mining, whale_buy

pytestmark = pytest.mark.anvil
CHILD = Path(__file__).with_name("crash_child.py")
ORDER = "o-crash"  # the child's proposal id is "crash"


async def killed_after_reverted(chain: Any, account: Any, db_path: Path) -> tuple[str, str]:
    """Run the child's buy, make it revert in its first block (a whale's buy ordered ahead
    of it), and SIGKILL the child once its ``reverted`` is committed; returns (our hash,
    the whale's hash). Automine must be off."""
    venues = [{"name": v.name, "factory": v.factory, "router": v.router} for v in chain.venues()]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), chain.rpc_url, account.key.hex(), str(db_path),
        chain.plain, chain.deployment.weth, json.dumps(venues), "reverted",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    lines: asyncio.Queue[str] = asyncio.Queue()

    async def drain() -> None:  # always read: a full pipe would stall the child
        assert proc.stdout is not None
        async for raw in proc.stdout:
            await lines.put(raw.decode(errors="replace"))

    async def line(prefix: str) -> str:
        while not (text := await lines.get()).startswith(prefix):
            pass
        return text.split()[1]

    reader = asyncio.create_task(drain())
    try:
        async with asyncio.timeout(120):
            ours = await line("SIGNED")
            await chain.wait_pooled(ours)
            router = chain.w3.eth.get_transaction(ours)["to"]
            whale = whale_buy(chain, router, chain.plain, next(chain.accounts))
            await chain.wait_pooled(whale)
            chain.rpc("evm_mine", [])
            assert chain.w3.eth.get_transaction_receipt(ours)["status"] == 0
            assert chain.w3.eth.get_transaction_receipt(whale)["status"] == 1
            assert await line("REVERTED") == ORDER
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        await proc.wait()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    assert proc.returncode == -signal.SIGKILL
    return ours, whale


async def restart(make_rig: Any, account: Any, db_path: Path) -> Any:
    """A fresh engine on the dead child's journal and account, reorg-safe like the child;
    the journal as the child left it is checked first: ``reverted`` alone, no later entry."""
    rig = await make_rig(account=account, db_path=db_path, profile=confirming_profile())
    states = await rig.history(ORDER)
    assert states[-1] == "reverted" and "confirming_revert" not in states, states
    return rig


async def test_killed_after_reverted_then_reorged_and_landed_books_one_fill(
        make_rig, chain, tmp_path: Path) -> None:
    """The worst case: while the engine is dead the revert's block is reorged away and the
    same signed transaction lands in another block and succeeds (its receipt now says
    success). The restarted engine must see the journaled block gone and book the fill."""
    account = next(chain.accounts)
    db_path = tmp_path / "crash.db"
    with manual_mining(chain):
        ours, whale = await killed_after_reverted(chain, account, db_path)
        reverted_block = chain.w3.eth.get_transaction_receipt(ours)["blockHash"]
        chain.rpc("anvil_reorg", [1, []])  # the block with the whale and our revert is gone
        chain.rpc("anvil_dropTransaction", [whale])
        rig = await restart(make_rig, account, db_path)
        # a peer still holds our signed bytes and sends them again (anvil forgot them)
        [raw] = [a["raw"] for a in (await rig.journal.history(ORDER))[-1].data["attempts"]]
        assert chain.rpc("eth_sendRawTransaction", [raw]) == ours
        chain.rpc("evm_mine", [])  # the same transaction, in another block: it succeeds
        landed = chain.w3.eth.get_transaction_receipt(ours)
        assert landed["status"] == 1 and landed["blockHash"] != reverted_block

        sub = rig.bus.subscribe("t", [OrderFilled.topic])
        recovered = await mine_until_done(chain, asyncio.create_task(rig.engine.recover()))

    assert [o.id for o in recovered] == [ORDER]
    order = recovered[0]
    assert order.state is OrderState.FILLED, order.detail
    states = await rig.history(ORDER)
    assert states.count("signed") == 1  # the same signed bytes, never re-signed
    assert states[states.index("reverted"):] == [
        "reverted", "confirming_revert", "reorged", "mined", "confirming", "filled"]
    assert order.mined_hash == ours
    assert chain.w3.eth.get_transaction_count(account.address) == 1  # one nonce, one tx
    balance = token_balance(chain, chain.plain, account.address)
    assert balance == order.amount_out > 0
    fills = []
    while sub.pending():
        fills.append(await sub.get())
    assert [f.amount_out for f in fills] == [balance]  # booked exactly once


async def test_killed_after_reverted_then_buried_fails_without_a_fill(
        make_rig, chain, tmp_path: Path) -> None:
    """No reorg: the restarted engine watches the revert until it is buried, then fails it
    (before, the journal stayed at ``reverted`` and nobody watched the block at all)."""
    account = next(chain.accounts)
    db_path = tmp_path / "crash.db"
    with manual_mining(chain):
        ours, _ = await killed_after_reverted(chain, account, db_path)
        rig = await restart(make_rig, account, db_path)
        sub = rig.bus.subscribe("t", [OrderFilled.topic])
        recovered = await mine_until_done(chain, asyncio.create_task(rig.engine.recover()))

    assert [(o.id, o.state) for o in recovered] == [(ORDER, OrderState.FAILED)]
    order = recovered[0]
    assert (await rig.history(ORDER))[-3:] == ["reverted", "confirming_revert", "failed"]
    assert "blocks on top" in order.detail and order.mined_hash == ours
    assert chain.w3.eth.block_number - order.block_number >= 2
    assert chain.w3.eth.get_transaction_count(account.address) == 1
    assert token_balance(chain, chain.plain, account.address) == 0
    assert sub.pending() == 0  # no fill was ever published
