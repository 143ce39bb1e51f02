"""The persisted daily-cap window is one window, whoever signs.

The console and a ``claudedex trade`` run (or two console restarts overlapping) each open
``spend.json``. A store that keeps the file's content from when it was opened neither sees
the other's spending (the cap is checked against a partial sum) nor keeps it (its next write
replaces the file with its own list): together they can sign past the daily cap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak

from claudedex.clock import ManualClock
from claudedex.errors import SignerRefused
from claudedex.wallet.guard import GuardedSigner
from claudedex.wallet.local import DevnetSigner
from claudedex.wallet.sim.samples import ROUTER, TEST_ADDRESS, TEST_KEY
from claudedex.wallet.spend_store import JsonSpendStore

ETH = 10**18
WETH = "0x" + "88" * 20
TOKEN = "0x" + "77" * 20


def buy(nonce: int, value: int) -> dict[str, Any]:
    data = keccak(text="swapExactETHForTokens(uint256,address[],address,uint256)")[:4] + \
        abi_encode(["uint256", "address[]", "address", "uint256"],
                   [1, [WETH, TOKEN], TEST_ADDRESS, 2**40])
    return {"chainId": 31337, "nonce": nonce, "gas": 300_000, "to": ROUTER, "value": value,
            "data": data, "maxFeePerGas": 2 * 10**9, "maxPriorityFeePerGas": 10**9}


def guard(path: Path, clock: ManualClock) -> GuardedSigner:
    return GuardedSigner(DevnetSigner(TEST_KEY), chain_id=31337, per_trade_cap_wei=ETH,
                         daily_cap_wei=ETH, allowed_targets={ROUTER}, allowed_approve_tokens=set(),
                         is_halted=lambda: False, clock=clock,
                         spend_store=JsonSpendStore(path), quote_token=WETH)


def test_two_open_stores_keep_each_others_spends(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    console, cli = JsonSpendStore(path), JsonSpendStore(path)
    console.record(1_700_000_000.0, 6)
    cli.record(1_700_000_001.0, 7)
    assert sorted(v for _, v in JsonSpendStore(path).load()) == [6, 7]
    assert sorted(v for _, v in console.load()) == [6, 7]


async def test_two_signers_on_one_window_cannot_pass_the_daily_cap(tmp_path: Path) -> None:
    clock = ManualClock(start=1_700_000_000.0)
    console = guard(tmp_path / "spend.json", clock)
    cli = guard(tmp_path / "spend.json", clock)  # opened while the console runs
    await console.sign_transaction(buy(0, ETH * 6 // 10))
    with pytest.raises(SignerRefused, match="daily cap"):
        await cli.sign_transaction(buy(1, ETH * 6 // 10))
