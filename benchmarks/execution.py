"""Execution benchmark on a real anvil devnet; prints one JSON object.

- latency: approved proposal -> signed -> broadcast (ms, p50/p99), through ExecutionEngine
  with a SQLite order journal and the guarded devnet signer, after ``--warmup`` orders (the
  first order on a fresh connection pays for pair lookups and the first journal write);
- throughput: signed transactions per second through the nonce manager (reserve + guarded
  sign with coincurve), no RPC per transaction;
- CLI: ``claudedex trade buy`` from process start to ``filled`` (ms, p50/p99), run one after
  another with no engine running (each builds the kernel: lock, journal, judge, sign).
Usage: .venv/bin/python benchmarks/execution.py [--orders 30] [--sign 2000] [--cli 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from eth_account import Account

from claudedex.bus import EventBus
from claudedex.clock import WallClock
from claudedex.config import load_profile
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.zoo import deploy_family, launch
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.execution import calls
from claudedex.execution.engine import ExecutionEngine
from claudedex.execution.routing import VenueRef
from claudedex.heap import freeze_startup_heap
from claudedex.rpc import async_web3
from claudedex.shutdown import exit_on_signals
from claudedex.storage import Database, OrderJournal
from claudedex.wallet.guard import GuardedSigner, any_token
from claudedex.wallet.local import DevnetSigner


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def cli_buys(anvil: object, dep: object, token: str, runs: int) -> list[float]:
    """Wall time of ``claudedex trade buy`` processes, start to exit (all must fill)."""
    import os
    import subprocess
    import sys

    from claudedex.devnet.manifest import DevnetManifest

    home = Path(tempfile.mkdtemp(prefix="claudedex-bench-"))
    account = anvil.accounts[3]  # type: ignore[attr-defined]
    DevnetManifest(
        rpc_url=anvil.rpc_url, ws_url="", chain_id=31337, weth=dep.weth,  # type: ignore[attr-defined]
        venues={n: {"factory": v.factory, "router": v.router}
                for n, v in dep.venues.items()},  # type: ignore[attr-defined]
        accounts=[{"address": account.address, "private_key": account.private_key}],
        labels="", pid=os.getpid()).write(_mkdir(home / "devnet"))
    env = dict(os.environ, CLAUDEDEX_HOME=str(home))
    root = Path(__file__).resolve().parent.parent
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "trade", "buy", "--token", token, "--amount",
             "0.001", "--override", "risky", "--json"], env=env, cwd=root,
            capture_output=True, text=True, check=False)
        times.append((time.perf_counter() - t0) * 1000)
        if done.returncode != 0 or '"filled"' not in done.stdout:
            raise SystemExit(f"cli buy failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    return times


async def bench(orders: int, signs: int, cli_runs: int, warmup: int = 3) -> dict[str, object]:
    anvil, w3, dep = start_devnet_chain(accounts=4)
    try:
        owner = Account.from_key(anvil.accounts[1].private_key)
        token = deploy_family(w3, "honest_ownable", owner, name="B", symbol="B",
                              supply=10**24, rng=random.Random(1), deployment=dep)
        launch(w3, token, dep.venues["uniswap"].router, token_amount=5 * 10**23,
               eth_amount=10**20)
        venues = [VenueRef(n, v.factory, v.router) for n, v in dep.venues.items()]
        routers = {v.router for v in venues}
        key = anvil.accounts[2].private_key
        signer = GuardedSigner(DevnetSigner(key), chain_id=31337, per_trade_cap_wei=10**20,
                               daily_cap_wei=10**24, allowed_targets=routers,
                               allowed_approve_tokens=any_token, is_halted=lambda: False,
                               quote_token=dep.weth)
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            await db.open()
            journal = OrderJournal(db)
            await journal.start()
            aw3 = async_web3(anvil.rpc_url)  # as the kernel builds it
            bus = EventBus()
            engine = ExecutionEngine(bus, load_profile("devnet"), aw3, signer, journal,
                                     lambda: False, WallClock(), venues, dep.weth)
            to_signed: list[float] = []
            to_broadcast: list[float] = []
            # approved -> signed/broadcast, stamped when each transition is journaled
            stamps: dict[str, dict[str, float]] = {}
            orig = engine._record

            async def timed(order, state, detail=""):  # type: ignore[no-untyped-def]
                await orig(order, state, detail)
                stamps.setdefault(order.id, {})[str(state)] = time.perf_counter()

            engine._record = timed  # type: ignore[method-assign]
            engine.flow.record = timed
            freeze_startup_heap()  # as Engine.start does
            for i in range(-warmup, orders):  # warm-up orders fill caches and connections
                proposal = TradeProposal(id=f"c{i}", token=token.address, pair="", venue="",
                                         side=Side.BUY, amount_in=10**15, min_amount_out=0,
                                         quote_value=0, slippage_bps=100,  # type: ignore[arg-type]
                                         verdict=Verdict.SAFE)
                t0 = time.perf_counter()
                order = await engine.execute(proposal)
                if order.state != "filled":
                    raise SystemExit(f"benchmark order {order.id}: {order.state} {order.detail}")
                if i < 0:
                    continue
                s = stamps[f"o-c{i}"]
                to_signed.append((s["signed"] - t0) * 1000)
                to_broadcast.append((s["broadcast"] - t0) * 1000)
            # nonce manager + guarded signing throughput (no RPC per tx)
            nonces = engine.nonces
            tx: dict[str, object] = {
                "chainId": 31337, "to": dep.venues["uniswap"].router, "value": 0,
                "gas": 200_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9,
                "type": 2}
            tx["data"] = calls.swap_exact_eth_for_tokens(
                0, [dep.weth, token.address], signer.address, 2**40, fee_on_transfer=False)
            t0 = time.perf_counter()
            for _ in range(signs):
                n = await nonces.reserve(refresh=False)
                await signer.sign_transaction(dict(tx, nonce=n))
                nonces.release(n)
            sign_s = time.perf_counter() - t0
            await journal.close()
            await db.close()
            await aw3.provider.disconnect()
        cli = await asyncio.to_thread(cli_buys, anvil, dep, token.address, cli_runs)
        return {
            "benchmark": "execution", "orders": orders, "warmup_orders": warmup,
            "approved_to_signed_ms": {"p50": round(statistics.median(to_signed), 2),
                                      "p99": round(pct(to_signed, 0.99), 2)},
            "approved_to_broadcast_ms": {"p50": round(statistics.median(to_broadcast), 2),
                                         "p99": round(pct(to_broadcast, 0.99), 2)},
            "signed_tx_per_s": round(signs / sign_s, 1), "signatures": signs,
            "cli_buy_start_to_filled_ms": {"p50": round(statistics.median(cli), 1),
                                           "p99": round(pct(cli, 0.99), 1), "runs": cli_runs},
        }
    finally:
        anvil.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--sign", type=int, default=2000)
    parser.add_argument("--cli", type=int, default=10, help="CLI buys to time")
    parser.add_argument("--warmup", type=int, default=3, help="orders run before timing")
    args = parser.parse_args()
    with exit_on_signals():  # SIGTERM unwinds, so bench()'s finally stops anvil
        result = asyncio.run(bench(args.orders, args.sign, args.cli, args.warmup))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
