"""``claudedex scan`` end to end on a real anvil: the JSON-line contract, a token without a
pair in the batch, --profile, --follow, deployer history shared through the database, and
exit 2 on bad input."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import AsyncWeb3

from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import deploy_family, launch

ROOT = Path(__file__).resolve().parents[3]
CONTRACT_KEYS = {"token", "pair", "verdict", "score", "reasons", "buy_tax_bps", "sell_tax_bps",
                 "elapsed_ms"}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from cli.main import main; main()", *args]


def _claudedex(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(*args), capture_output=True, text=True, cwd=ROOT,
                          timeout=180, check=False)


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[Any, Any, Any]]:
    anvil, w3, dep = start_devnet_chain()
    try:
        yield anvil, w3, dep
    finally:
        anvil.stop()


def _launch(chain: tuple[Any, Any, Any], family: str, account: int = 2, seed: int = 3) -> str:
    anvil, w3, dep = chain
    owner = Account.from_key(anvil.accounts[account].private_key)
    tok = deploy_family(w3, family, owner, name="T", symbol="T", supply=10**27,
                        rng=random.Random(seed), deployment=dep)
    launch(w3, tok, dep.venue("uniswap").router, token_amount=5 * 10**26, eth_amount=5 * 10**18)
    return str(tok.address).lower()


@pytest.mark.anvil
def test_scan_prints_the_contract_and_a_pairless_token_does_not_fail_the_batch(
    chain: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    anvil, _, dep = chain
    honeypot, honest = _launch(chain, "honeypot"), _launch(chain, "honest_renounced")
    nobody = "0x" + "12" * 20
    venue = dep.venue("uniswap")
    done = _claudedex("scan", "--rpc-url", anvil.rpc_url, "--router", venue.router,
                      "--factory", venue.factory, "--token", honeypot, nobody, honest,
                      "--json", "--db-url", f"sqlite:///{tmp_path / 'h.db'}")
    assert done.returncode == 0, done.stderr
    lines = _lines(done.stdout)
    assert [r["token"] for r in lines] == [honeypot, nobody, honest]  # one line each, in order
    by_token = {r["token"]: r for r in lines}
    for line in lines:
        assert CONTRACT_KEYS <= set(line)
        assert all(set(r) == {"code", "severity", "detail"} for r in line["reasons"])
        assert 0 <= line["score"] <= 100
    scam = by_token[honeypot]
    assert scam["verdict"] == "scam" and scam["score"] == 0
    assert scam["reasons"][0]["severity"] == "critical"
    assert "HONEYPOT" in {r["code"] for r in scam["reasons"]}
    missing = by_token[nobody]
    assert missing["verdict"] == "unknown" and missing["pair"] is None
    assert missing["reasons"][0]["code"] == "NO_PAIR"
    safe = by_token[honest]
    assert safe["verdict"] == "safe" and safe["sell_tax_bps"] == 0 and safe["score"] >= 60


@pytest.mark.anvil
def test_deployer_history_outlives_the_scan_and_is_read_by_the_engine_assessor(
    chain: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """A scam judged by one ``scan`` process is in the database the engine's assessor reads
    (the same DeployerRepo the builder wires into SafetyAnalyzer) and the next scan."""
    from claudedex.safety.assess import TokenAssessor
    from claudedex.storage import Database
    from claudedex.storage.repo_deployers import DeployerRepo

    anvil, _, dep = chain
    venue = dep.venue("uniswap")
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = _launch(chain, "honeypot", account=4)
    done = _claudedex("scan", "--rpc-url", anvil.rpc_url, "--router", venue.router,
                      "--token", first, "--json", "--db-url", url)
    assert done.returncode == 0, done.stderr
    second = _launch(chain, "honest_renounced", account=4, seed=8)
    again = _claudedex("scan", "--rpc-url", anvil.rpc_url, "--router", venue.router,
                       "--token", second, "--json", "--db-url", url)
    (line,) = _lines(again.stdout)
    assert "DEPLOYER_LAUNCHED_SCAMS" in {r["code"] for r in line["reasons"]}

    async def engine_side() -> set[str]:
        aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
        async with Database(url) as db:
            try:
                assessor = TokenAssessor(aw3, chain_id=dep.chain_id, history=DeployerRepo(db))
                pair = line["pair"]
                report = await assessor.assess(token=second, pair=pair, quote=dep.weth,
                                               router=venue.router)
                return {f.code for f in report.findings}
            finally:
                await aw3.provider.disconnect()

    assert "DEPLOYER_LAUNCHED_SCAMS" in asyncio.run(engine_side())


@pytest.mark.anvil
def test_profile_supplies_rpc_router_and_factory(
    chain: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    anvil, _, dep = chain
    venue = dep.venue("uniswap")
    profile = tmp_path / "scanprofile.toml"
    profile.write_text(
        f'name = "scanprofile"\nmode = "paper"\n[chain]\nchain_id = {dep.chain_id}\n'
        f'name = "anvil"\nrpc_url = "{anvil.rpc_url}"\nquote_token = "{dep.weth}"\n'
        f'[[venues]]\nname = "uniswap"\nfactory = "{venue.factory}"\n'
        f'router = "{venue.router}"\n', encoding="utf-8")
    token = _launch(chain, "honest_renounced", seed=5)
    done = _claudedex("scan", "--profile", str(profile), "--token", token, "--json")
    assert done.returncode == 0, done.stderr
    (line,) = _lines(done.stdout)
    assert line["token"] == token and line["verdict"] == "safe"
    home = Path(os.environ["CLAUDEDEX_HOME"])
    assert (home / "scanprofile" / "claudedex.db").is_file()  # the profile's database


def _reader(stream: Any, out: queue.Queue[str]) -> None:
    for line in stream:
        out.put(line)


@pytest.mark.anvil
def test_follow_judges_new_pairs_and_exits_cleanly_on_sigterm(
    chain: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    anvil, _, dep = chain
    venue = dep.venue("uniswap")
    proc = subprocess.Popen(
        _command("scan", "--rpc-url", anvil.rpc_url, "--router", venue.router, "--follow",
                 "--json", "--poll", "0.2", "--db-url", f"sqlite:///{tmp_path / 'f.db'}"),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, out), daemon=True).start()
    threading.Thread(target=_reader, args=(proc.stderr, err), daemon=True).start()
    try:
        while "following factory" not in err.get(timeout=120):
            pass
        token = _launch(chain, "honeypot", seed=9)
        seen: dict[str, Any] = {}
        # a pair created empty is judged twice: first NO_LIQUIDITY, then with its pool
        while token not in seen or seen[token]["liquidity_quote"] is None:
            line = json.loads(out.get(timeout=120))
            seen[line["token"]] = line
        assert seen[token]["verdict"] == "scam" and seen[token]["pair"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("args,needle", [
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x12", "--token", "0x" + "1" * 40],
     "--router"),
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x" + "1" * 40, "--token", "nope"],
     "--token"),
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x" + "1" * 40, "--token",
      "0x" + "2" * 40], "does not answer"),
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x" + "1" * 40, "--factory", "x",
      "--token", "0x" + "2" * 40], "--factory"),
    (["--rpc-url", "http://127.0.0.1:9", "--token", "0x" + "2" * 40], "--router"),
    (["--router", "0x" + "1" * 40, "--token", "0x" + "2" * 40], "--rpc-url"),
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x" + "1" * 40], "--token"),
    (["--rpc-url", "http://127.0.0.1:9", "--router", "0x" + "1" * 40, "--token",
      "0x" + "2" * 40, "--amount", "-1"], "--amount"),
    (["--profile", "no-such-profile", "--token", "0x" + "2" * 40], "no-such-profile"),
])
def test_bad_input_exits_2(args: list[str], needle: str) -> None:
    done = _claudedex("scan", *args, "--json")
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr and len(done.stderr.strip().splitlines()) == 1
