"""`devnet up --shape ethereum`: chain id 1, WETH and Uniswap V2 at their mainnet addresses.

What this proves: the paper-ethereum / live-ethereum profiles' hard-coded addresses hold
working contracts on the local chain. The pair the moved factory CREATE2s is the pair the
moved router's pairFor finds (init-code hash + pinned factory address), so swaps and quotes
through 0x7a25... work, and the market and token zoo launch and trade on the pinned venues.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from eth_abi.abi import encode
from web3 import Web3

from claudedex.config import load_profile
from claudedex.devnet.accounts import TOTAL_ACCOUNTS
from claudedex.devnet.anvil import REPO_ROOT
from claudedex.devnet.artifacts import load_artifact
from claudedex.devnet.labels import read_labels
from claudedex.devnet.launcher import ensure_devnet
from claudedex.devnet.manifest import DevnetManifest
from claudedex.devnet.market import MarketConfig
from claudedex.devnet.shapes import ETHEREUM
from claudedex.devnet.sim import build_market
from claudedex.devnet.testing import connect, start_devnet_chain
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import (
    Venue,
    create2_pair_address,
    erc20_contract,
    factory_contract,
    get_amount_out,
    pair_contract,
    router_contract,
)
from claudedex.errors import DevnetError

pytestmark = pytest.mark.anvil

WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
UNI_FACTORY = "0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f"
UNI_ROUTER = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"
SUSHI_FACTORY = "0xC0AEe478e3658e2610c5F7A4A2E1777cE9e4f2Ac"
SUSHI_ROUTER = "0xd9e1cE17f2641f24aE83637ab66a2cca9C378B9F"
DEADLINE = 2**40
E18 = 10**18


def _up(tmp_path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "devnet", "up", "--data-dir", str(tmp_path),
            *extra]  # fmt: skip


def test_up_shape_ethereum_pins_mainnet_addresses_and_router_swaps(tmp_path: Path) -> None:
    cmd = _up(tmp_path, "--shape", "ethereum", "--json", "--no-market", "--block-time", "0")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=REPO_ROOT)  # fmt: skip
    try:
        assert proc.stdout is not None
        m = DevnetManifest.from_json(json.loads(proc.stdout.readline()))
        assert (m.chain_id, m.shape, m.weth) == (1, "ethereum", WETH)
        assert m.venues == {
            "uniswap": {"factory": UNI_FACTORY, "router": UNI_ROUTER},
            "sushiswap": {"factory": SUSHI_FACTORY, "router": SUSHI_ROUTER},
        }
        # the profiles run unchanged: their hard-coded chain id and addresses are these
        for name in ("paper-ethereum", "live-ethereum"):
            profile = load_profile(name)
            assert profile.chain.chain_id == m.chain_id and profile.chain.quote_token == m.weth
            for v in profile.venues:
                assert m.venues[v.name] == {"factory": v.factory, "router": v.router}

        w3 = connect(m.rpc_url)
        assert w3.eth.chain_id == 1
        for address in (WETH, UNI_FACTORY, UNI_ROUTER, SUSHI_FACTORY, SUSHI_ROUTER):
            assert len(w3.eth.get_code(Web3.to_checksum_address(address))) > 0, address

        # a plain ERC20/WETH pool through the router at 0x7a25..., then a swap and a quote
        lp = Sender.from_dev(w3, m.accounts[0]["private_key"])
        trader = Sender.from_dev(w3, m.accounts[1]["private_key"])
        assert lp.chain_id == 1
        token = lp.deploy(load_artifact("ERC20").bytecode, encode(["uint256"], [10**9 * E18]))
        uni = Venue("uniswap", UNI_FACTORY, UNI_ROUTER)
        router = router_contract(w3, uni)
        lp.transact(erc20_contract(w3, token).functions.approve(UNI_ROUTER, 2**256 - 1))
        lp.transact(
            router.functions.addLiquidityETH(token, 10**6 * E18, 0, 0, lp.address, DEADLINE),
            value=20 * E18,
        )
        pair = factory_contract(w3, uni).functions.getPair(token, WETH).call()
        assert pair == create2_pair_address(UNI_FACTORY, token, WETH)
        assert pair_contract(w3, pair).functions.factory().call() == UNI_FACTORY

        eth_in = 2 * E18 + 7
        r_weth, r_token = _reserves(w3, pair, WETH)
        quote = router.functions.getAmountsOut(eth_in, [WETH, token]).call()
        assert quote == [eth_in, get_amount_out(eth_in, r_weth, r_token)]
        trader.transact(
            router.functions.swapExactETHForTokens(quote[1], [WETH, token], trader.address,
                                                   DEADLINE),  # fmt: skip
            value=eth_in,
        )
        assert erc20_contract(w3, token).functions.balanceOf(trader.address).call() == quote[1]
        assert _reserves(w3, pair, WETH) == (r_weth + eth_in, r_token - quote[1])

        # the engine's launcher reuses it for a chain-1 profile, never for the devnet profile
        chain_1 = SimpleNamespace(chain=SimpleNamespace(chain_id=1), devnet=None)
        assert asyncio.run(ensure_devnet(chain_1, tmp_path)) == (m, None)
        devnet_profile = SimpleNamespace(chain=SimpleNamespace(chain_id=31337), devnet=None)
        with pytest.raises(DevnetError, match="chain id 1 .shape ethereum."):
            asyncio.run(ensure_devnet(devnet_profile, tmp_path))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _reserves(w3: Web3, pair: str, token_in: str) -> tuple[int, int]:
    p = pair_contract(w3, pair)
    r0, r1, _ = p.functions.getReserves().call()
    return (r0, r1) if p.functions.token0().call() == token_in else (r1, r0)


def test_zoo_market_launches_and_trades_on_the_pinned_venues(tmp_path: Path) -> None:
    anvil, w3, deployment = start_devnet_chain(accounts=TOTAL_ACCOUNTS, data_dir=tmp_path,
                                               shape="ethereum")  # fmt: skip
    try:
        assert deployment.chain_id == 1 and deployment.weth == WETH
        assert {n: v.router for n, v in deployment.venues.items()} == {
            p.name: p.router for p in ETHEREUM.venues
        }
        # launch rate 60/min at one tick a second: every tick launches (seeded, no wall time)
        market = build_market(w3, deployment, anvil.accounts, tmp_path,
                              MarketConfig(seed=3, launch_rate_per_min=Decimal(60)))  # fmt: skip
        for _ in range(6):
            market.tick()
        assert market.stats.launches >= 4 and market.stats.launches_failed == 0
        assert market.stats.swaps_ok > 0
        launches = [r for r in read_labels(tmp_path / "labels.jsonl") if r["event"] == "launch"]
        assert len(launches) == market.stats.launches
        assert {r["venue"] for r in launches} == {"uniswap", "sushiswap"}  # seed 3: both
        for rec in launches:
            venue = deployment.venues[str(rec["venue"])]
            assert rec["pair"] == create2_pair_address(venue.factory, str(rec["token"]), WETH)
    finally:
        anvil.stop()


def test_unknown_shape_is_one_line_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(_up(tmp_path, "--shape", "mainnet"), capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --shape must be one of devnet, ethereum, got 'mainnet'"
    ]
