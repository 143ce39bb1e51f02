"""kill -9 the executing process after signing, before the receipt; restart; reconcile."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from claudedex.execution.states import OrderState

pytestmark = pytest.mark.anvil
CHILD = Path(__file__).with_name("crash_child.py")


def token_balance(chain, token: str, owner: str) -> int:
    from claudedex.devnet.uniswap import erc20_contract

    return int(erc20_contract(chain.w3, token).functions.balanceOf(owner).call())


def run_child_until_signed(chain, account, db_path: Path, mode: str) -> str:
    venues = [{"name": v.name, "factory": v.factory, "router": v.router} for v in chain.venues()]
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), chain.rpc_url, account.key.hex(), str(db_path),
         chain.plain, chain.deployment.weth, json.dumps(venues), mode],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("SIGNED"):
                tx_hash = line.split()[1]
                break
        else:
            raise AssertionError("child exited before signing")
        if mode == "pooled":
            import time

            from web3.exceptions import TransactionNotFound

            for _ in range(600):
                try:
                    chain.w3.eth.get_transaction(tx_hash)
                    break
                except TransactionNotFound:
                    time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return tx_hash


@pytest.mark.parametrize("mode", ["pooled", "unsent"])
async def test_kill_9_after_sign_then_restart_reconciles_without_duplicate(
        make_rig, chain, make_proposal, tmp_path: Path, mode: str) -> None:
    account = next(chain.accounts)
    db_path = tmp_path / "crash.db"
    chain.rpc("evm_setAutomine", [False])
    try:
        tx_hash = run_child_until_signed(chain, account, db_path, mode)
    finally:
        chain.rpc("evm_setAutomine", [True])
    if mode == "pooled":
        chain.rpc("evm_mine", [])  # mined while the engine was dead
    rig = await make_rig(account=account, db_path=db_path)
    recovered = await rig.engine.recover()
    assert [o.state for o in recovered] == [OrderState.FILLED]
    order = recovered[0]
    assert order.mined_hash == tx_hash
    states = await rig.history("o-crash")
    assert states.count("signed") == 1 and states[-2:] == ["mined", "filled"]
    assert chain.w3.eth.get_transaction_count(account.address) == 1  # exactly one tx
    assert token_balance(chain, chain.plain, account.address) == order.amount_out > 0
    # the nonce manager continues after the recovered transaction
    nxt = await rig.engine.execute(make_proposal(chain.plain, "buy", 10**16))
    assert nxt.state is OrderState.FILLED and nxt.nonce == 1
