"""Devnet benchmark: time to ready and sustained swaps/s. Prints one JSON object.

  .venv/bin/python benchmarks/devnet.py [--swaps 400]

- ready_s_cli: `claudedex devnet up --json --no-market` spawn -> manifest line (goal < 5 s)
- ready_s_inprocess: anvil start + WETH + two venues, in this process
- swaps_per_s_sequential: buy/sell via Router02, each send waits for its receipt
- swaps_per_s_pipelined: 4 traders send batches of signed swaps, then wait for receipts
- market_ticks_per_s / market_swaps_per_s: the simulator itself on automine
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eth_abi.abi import encode  # noqa: E402

from claudedex.devnet.accounts import TOTAL_ACCOUNTS  # noqa: E402
from claudedex.devnet.artifacts import load_artifact  # noqa: E402
from claudedex.devnet.market import MarketConfig  # noqa: E402
from claudedex.devnet.sim import build_market  # noqa: E402
from claudedex.devnet.testing import start_devnet_chain  # noqa: E402
from claudedex.devnet.txs import Sender  # noqa: E402
from claudedex.devnet.uniswap import erc20_contract, router_contract  # noqa: E402
from claudedex.shutdown import exit_on_signals  # noqa: E402

E18 = 10**18
DEADLINE = 2**40


def ready_cli() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "cli.main", "devnet", "up", "--json", "--no-market",
               "--data-dir", tmp]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            elapsed = time.perf_counter() - started
            json.loads(line)
        finally:  # `devnet up` stops its anvil on SIGTERM; it must get one on every way out
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return elapsed


def swaps(n: int) -> dict[str, float]:
    started = time.perf_counter()
    anvil, w3, dep = start_devnet_chain(accounts=TOTAL_ACCOUNTS)
    try:
        ready = time.perf_counter() - started
        lp = Sender.from_dev(w3, anvil.accounts[1])
        token = lp.deploy(load_artifact("ERC20").bytecode, encode(["uint256"], [10**30]))
        router = router_contract(w3, dep.venues["uniswap"])
        lp.transact(erc20_contract(w3, token).functions.approve(router.address, 2**256 - 1))
        lp.transact(router.functions.addLiquidityETH(token, 10**29, 0, 0, lp.address, DEADLINE),
                    value=1000 * E18)  # fmt: skip
        traders = [Sender.from_dev(w3, a) for a in anvil.accounts[2:6]]
        for t in traders:
            t.transact(erc20_contract(w3, token).functions.approve(router.address, 2**256 - 1))

        def fn(i: int) -> tuple[bytes, int]:
            if i % 2 == 0:
                f = router.functions.swapExactETHForTokens(0, [dep.weth, token],
                                                           traders[0].address, DEADLINE)
                return bytes.fromhex(f._encode_transaction_data()[2:]), E18 // 10
            f = router.functions.swapExactTokensForETH(10**20, 0, [token, dep.weth],
                                                       traders[0].address, DEADLINE)
            return bytes.fromhex(f._encode_transaction_data()[2:]), 0

        t0 = time.perf_counter()
        for i in range(n):
            data, value = fn(i)
            traders[0].wait(traders[0].send_raw(to=router.address, data=data, value=value,
                                                gas=300_000))
        seq = n / (time.perf_counter() - t0)

        t0 = time.perf_counter()
        hashes = []
        for i in range(n):
            data, value = fn(i)
            s = traders[i % len(traders)]
            hashes.append((s, s.send_raw(to=router.address, data=data, value=value,
                                         gas=300_000)))
        for s, h in hashes:
            s.wait(h, check=False)
        pipe = n / (time.perf_counter() - t0)
    finally:
        anvil.stop()
    return {"ready_s_inprocess": round(ready, 3), "swaps_per_s_sequential": round(seq, 1),
            "swaps_per_s_pipelined": round(pipe, 1)}


def market(ticks: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        anvil, w3, dep = start_devnet_chain(accounts=TOTAL_ACCOUNTS, data_dir=Path(tmp))
        try:
            sim = build_market(w3, dep, anvil.accounts, Path(tmp),
                               MarketConfig(seed=1, launch_rate_per_min=Decimal(20)))
            t0 = time.perf_counter()
            for _ in range(ticks):
                sim.tick()
            elapsed = time.perf_counter() - t0
        finally:
            anvil.stop()
    return {"market_ticks_per_s": round(ticks / elapsed, 2),
            "market_swaps_per_s": round(sim.stats.swaps_ok / elapsed, 1),
            "market_launches": sim.stats.launches}


def main() -> None:
    import structlog

    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    parser = argparse.ArgumentParser()
    parser.add_argument("--swaps", type=int, default=400)
    parser.add_argument("--ticks", type=int, default=40)
    args = parser.parse_args()
    result: dict[str, object] = {"benchmark": "devnet"}
    cli = [ready_cli() for _ in range(3)]
    result["ready_s_cli"] = round(min(cli), 3)
    result["ready_s_cli_max"] = round(max(cli), 3)
    result["ready_goal_s"] = 5
    result.update(swaps(args.swaps))
    result.update(market(args.ticks))
    print(json.dumps(result))


if __name__ == "__main__":
    with exit_on_signals():  # SIGTERM unwinds, so every anvil is stopped
        main()
