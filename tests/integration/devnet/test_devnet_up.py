"""`claudedex devnet up --json` as a real subprocess, and the engine's launcher around it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from claudedex.config import DevnetConfig
from claudedex.devnet.anvil import REPO_ROOT, rpc_answers
from claudedex.devnet.launcher import ensure_devnet, stop_devnet
from claudedex.devnet.manifest import MANIFEST_FILE, DevnetManifest, read_manifest
from claudedex.devnet.testing import connect

pytestmark = pytest.mark.anvil


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] == "Z"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - local test server
        return json.loads(resp.read())


def _wait_for(predicate: Any, what: str, attempts: int = 200) -> Any:
    for _ in range(attempts):
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never saw {what}")


def test_up_prints_manifest_serves_apis_and_stops_cleanly(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "cli.main", "devnet", "up", "--json", "--data-dir",
           str(tmp_path), "--block-time", "0", "--launch-rate", "60", "--seed", "4"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=REPO_ROOT)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        data = json.loads(line)
        m = DevnetManifest.from_json(data)
        for key in ("rpc_url", "ws_url", "chain_id", "weth", "venues", "accounts", "labels",
                    "dexscreener_url", "social_url"):  # fmt: skip
            assert key in data
        assert m.chain_id == 31337 and set(m.venues) == {"uniswap", "sushiswap"}
        assert read_manifest(tmp_path) == m
        assert m.service_pid == proc.pid
        w3 = connect(m.rpc_url)
        assert len(w3.eth.get_code(m.weth)) > 0
        for venue in m.venues.values():
            assert len(w3.eth.get_code(venue["router"])) > 0
        assert len(m.accounts) == 10
        for acct in m.accounts:
            assert w3.eth.get_balance(acct["address"]) == 10_000 * 10**18
            assert w3.eth.get_transaction_count(acct["address"]) == 0
        # the market launches within its first tick; DexScreener shape for that pair
        pairs = _wait_for(lambda: _get(f"{m.dexscreener_url}/token-profiles/latest/v1"),
                          "a token profile")  # fmt: skip
        token = pairs[0]["tokenAddress"]
        body = _get(f"{m.dexscreener_url}/latest/dex/tokens/{token}")
        assert body["schemaVersion"] == "1.0.0"
        pair = body["pairs"][0]
        assert pair["chainId"] == "devnet" and pair["dexId"] in m.venues
        assert pair["quoteToken"]["address"] == m.weth
        by_pair = _get(f"{m.dexscreener_url}/latest/dex/pairs/devnet/{pair['pairAddress']}")
        assert by_pair["pairs"][0]["baseToken"]["address"] == token
        posts = _wait_for(lambda: _get(f"{m.social_url}/posts?since=0")["posts"] and
                          _get(f"{m.social_url}/posts?since=0"), "a social post")
        assert posts["posts"][0]["token_address"] == token
        labels = Path(m.labels).read_text().splitlines()
        assert any(json.loads(x)["event"] == "launch" for x in labels)
        anvil_pid = m.pid
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert _gone(anvil_pid)
        assert not rpc_answers(m.rpc_url)
        assert not (tmp_path / MANIFEST_FILE).exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_launch_rate_is_one_line_exit_2(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "cli.main", "devnet", "up", "--launch-rate", "lots",
           "--data-dir", str(tmp_path)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --launch-rate must be a number, got 'lots'"
    ]


class _Profile:
    devnet = DevnetConfig(seed=3, block_time_s=0, market=False)


async def test_ensure_devnet_spawns_then_reuses(tmp_path: Path) -> None:
    manifest, proc = await ensure_devnet(_Profile(), tmp_path)
    try:
        assert proc is not None
        assert manifest.market is False and manifest.block_time == 0
        again, proc2 = await ensure_devnet(_Profile(), tmp_path)
        assert proc2 is None and again == manifest
    finally:
        await stop_devnet(proc)
    assert proc.returncode == 0
    assert _gone(manifest.pid)
    assert read_manifest(tmp_path) is None
