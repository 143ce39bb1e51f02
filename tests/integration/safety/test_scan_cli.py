"""``claudedex scan`` end to end: JSON lines on a real anvil, exit 2 on bad input."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import deploy_family, launch

ROOT = Path(__file__).resolve().parents[3]


def _claudedex(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


@pytest.mark.anvil
def test_scan_prints_one_report_per_token() -> None:
    anvil, w3, dep = start_devnet_chain()
    try:
        owner = Account.from_key(anvil.accounts[2].private_key)
        venue = dep.venue("uniswap")
        tokens = {}
        for fam in ("honeypot", "honest_renounced"):
            tok = deploy_family(w3, fam, owner, name="T", symbol="T", supply=10**27,
                                rng=random.Random(3), deployment=dep)
            launch(w3, tok, venue.router, token_amount=5 * 10**26, eth_amount=5 * 10**18)
            tokens[fam] = tok.address.lower()
        done = _claudedex("scan", "--rpc-url", anvil.rpc_url, "--router", venue.router,
                          "--token", tokens["honeypot"], tokens["honest_renounced"], "--json")
        assert done.returncode == 0, done.stderr
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        by_token = {r["token"]: r for r in lines}
        assert by_token[tokens["honeypot"]]["verdict"] == "scam"
        assert "HONEYPOT" in {f["code"] for f in by_token[tokens["honeypot"]]["findings"]}
        assert by_token[tokens["honest_renounced"]]["verdict"] == "safe"
        assert by_token[tokens["honest_renounced"]]["sell_tax_bps"] == 0
        bad = _claudedex("scan", "--rpc-url", anvil.rpc_url, "--router", venue.router,
                         "--token", "0x" + "12" * 20, "--json")
        assert bad.returncode == 2 and "no pair" in bad.stderr
    finally:
        anvil.stop()


@pytest.mark.parametrize("args,needle", [
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x12", "--token", "0x" + "1" * 40],
     "--router"),
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x" + "1" * 40, "--token", "nope"],
     "--token"),
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x" + "1" * 40, "--token",
      "0x" + "2" * 40], "does not answer"),
])
def test_bad_input_exits_2(args: list[str], needle: str) -> None:
    done = _claudedex("scan", *args, "--json")
    assert done.returncode == 2
    assert needle in done.stderr and len(done.stderr.strip().splitlines()) == 1
