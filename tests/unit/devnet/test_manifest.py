"""Manifest round trip, private file mode, and account planning."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from claudedex.devnet.accounts import TOTAL_ACCOUNTS, plan_accounts
from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.manifest import MANIFEST_FILE, DevnetManifest, read_manifest
from claudedex.errors import DevnetError


def _manifest() -> DevnetManifest:
    return DevnetManifest(
        rpc_url="http://127.0.0.1:1", ws_url="ws://127.0.0.1:1", chain_id=31337,
        weth="0x" + "00" * 20, venues={"uniswap": {"factory": "0x1", "router": "0x2"}},
        accounts=[{"address": "0xa", "private_key": "0xb"}], labels="/x/labels.jsonl",
    )  # fmt: skip


def test_round_trip_and_mode(tmp_path: Path) -> None:
    m = _manifest()
    path = m.write(tmp_path)
    assert path.name == MANIFEST_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_manifest(tmp_path) == m
    assert DevnetManifest.from_json({**m.to_json(), "future_field": 1}) == m


def test_unreadable_or_incomplete(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) is None
    (tmp_path / MANIFEST_FILE).write_text("{not json")
    assert read_manifest(tmp_path) is None
    with pytest.raises(DevnetError, match="rpc_url"):
        DevnetManifest.from_json({"chain_id": 1})


def test_account_plan_is_disjoint() -> None:
    accts = [DevAccount(f"0x{i:040x}", f"0x{i:064x}") for i in range(TOTAL_ACCOUNTS)]
    plan = plan_accounts(accts)
    used = [plan.deployer, *plan.devs, *(a for t in plan.traders.values() for a in t)]
    assert len(plan.free) == 10
    assert not set(used) & set(plan.free)
    assert len(used) + len(plan.free) == TOTAL_ACCOUNTS
    with pytest.raises(DevnetError, match="--accounts"):
        plan_accounts(accts[:-1])
