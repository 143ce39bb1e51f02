"""Safety benchmark: PairCreated -> RiskReport latency on the devnet, and the zoo confusion.

Runs anvil (automine) with WETH + Uniswap V2, the PairFollower and the SafetyAnalyzer on one
bus, and launches every zoo family ``--rounds`` times. Latency is wall time from the receipt
of the transaction that funded the pair to the first RiskAssessed judged on that liquidity
(follower detection + every check). The confusion matrix compares final verdicts (after the
launch settled) with the zoo's scam flag, used here for scoring only. Prints one JSON object.

    .venv/bin/python benchmarks/safety.py [--rounds 2] [--transport ws|poll] [--poll 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eth_account import Account  # noqa: E402
from web3 import AsyncWeb3  # noqa: E402

from claudedex.bus import EventBus  # noqa: E402
from claudedex.devnet.testing import start_devnet_chain  # noqa: E402
from claudedex.devnet.zoo import FAMILIES, deploy_family  # noqa: E402
from claudedex.devnet.zoo.trading import add_liquidity_eth  # noqa: E402
from claudedex.discovery.follower import PairFollower  # noqa: E402
from claudedex.discovery.state import MemoryStateStore  # noqa: E402
from claudedex.events import RiskAssessed  # noqa: E402
from claudedex.safety.analyzer import SafetyAnalyzer  # noqa: E402
from claudedex.safety.assess import CHECKS_FAILED  # noqa: E402
from claudedex.shutdown import exit_on_signals  # noqa: E402


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def bench(rounds: int, poll: float, transport: str) -> dict[str, Any]:
    anvil, w3, dep = start_devnet_chain()
    try:
        return await _bench(anvil, w3, dep, rounds, poll, transport)
    finally:  # every way out (SIGTERM included, see main) stops anvil
        anvil.stop()


async def _bench(anvil: Any, w3: Any, dep: Any, rounds: int, poll: float,
                 transport: str) -> dict[str, Any]:
    aw3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(anvil.rpc_url))
    bus = EventBus()
    sub = bus.subscribe("bench", [RiskAssessed.topic])
    # like `claudedex run` on the devnet: new heads pushed over the websocket (poll: fallback)
    follower = PairFollower(bus, aw3, {n: v.factory for n, v in dep.venues.items()}, dep.weth,
                            dep.chain_id, MemoryStateStore(), poll_interval_s=poll,
                            ws_url=anvil.ws_url if transport == "ws" else "")
    analyzer = SafetyAnalyzer(bus, aw3, {n: v.router for n, v in dep.venues.items()}, dep.weth,
                              chain_id=dep.chain_id, settle_blocks=0)
    stages: dict[str, list[float]] = {}
    analyzer.assessor.on_stage = lambda name, ms: stages.setdefault(name, []).append(ms)
    funded_at: dict[str, float] = {}
    first_report: dict[str, tuple[float, float]] = {}  # token -> (wall time, analyzer ms)
    latency: dict[str, float] = {}
    analyzer_ms: list[float] = []
    failed = [0]
    early = [0]  # reports that came before the launching thread returned from the receipt

    def settle(tok: str) -> None:
        # the follower can report before add_liquidity_eth's thread returns (it reads the
        # pair and LP balance after the receipt): that report counts as 0 ms, not as missed
        if tok in latency or tok not in funded_at or tok not in first_report:
            return
        at, ms = first_report[tok]
        if at < funded_at[tok]:
            early[0] += 1
        latency[tok] = max(at - funded_at[tok], 0.0) * 1000
        analyzer_ms.append(ms)
    family_of: dict[str, str] = {}
    all_judged = asyncio.Event()
    launched = [False]

    async def collect() -> None:
        async for ev in sub:
            assert isinstance(ev, RiskAssessed)
            r = ev.report
            tok = r.token.lower()
            if any(f.code == CHECKS_FAILED for f in r.findings):
                failed[0] += 1  # not a judgement: the analyzer tries again next block
            elif r.liquidity_quote is not None and tok not in first_report:
                first_report[tok] = (time.perf_counter(), r.elapsed_ms)
                settle(tok)
            if launched[0] and len(latency) >= len(funded_at):
                all_judged.set()

    router = dep.venue("uniswap").router
    rng = random.Random(11)
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(follower.run()), tg.create_task(analyzer.run()),
                     tg.create_task(collect())]
            for r in range(rounds):
                for fam in FAMILIES:
                    owner = Account.from_key(anvil.accounts[2 + (r % 5)].private_key)
                    tok = await asyncio.to_thread(
                        deploy_family, w3, fam, owner, name=f"{fam}{r}", symbol="Z",
                        supply=10**27, rng=rng, deployment=dep)
                    family_of[tok.address.lower()] = fam
                    res = await asyncio.to_thread(add_liquidity_eth, w3, tok.owner, router,
                                                  tok.address, 6 * 10**26, 8 * 10**18)
                    funded_at[tok.address.lower()] = time.perf_counter()
                    settle(tok.address.lower())
                    await asyncio.to_thread(tok.post_liquidity, w3, res.pair, router)
                    await asyncio.sleep(0.3)
            launched[0] = True
            if len(latency) >= len(funded_at):
                all_judged.set()
            try:
                await asyncio.wait_for(all_judged.wait(), timeout=30)
            except TimeoutError:
                pass  # reported below as reports < pairs
            # final verdicts, after every launch settled
            matrix = {"scam": {"scam": 0, "risky": 0, "safe": 0, "unknown": 0},
                      "honest": {"scam": 0, "risky": 0, "safe": 0, "unknown": 0}}
            per_family: dict[str, list[str]] = {}
            analyzer.assessor.on_stage = None  # profile the live reports only
            for info in list(analyzer.pairs.values()):
                family = family_of.get(info.token.lower())
                if family is None:
                    continue
                final = await analyzer.assess_pair(info, reason="benchmark final")
                assert final is not None
                truth = "scam" if FAMILIES[family].scam else "honest"
                matrix[truth][final.verdict.value] += 1
                per_family.setdefault(family, []).append(final.verdict.value)
            for t in tasks:
                t.cancel()
    finally:
        await aw3.provider.disconnect()
    lat = list(latency.values())
    return {
        "benchmark": "safety", "chain": "anvil automine (devnet budget: 1 block = 1 s)",
        "transport": transport,
        "pairs": len(funded_at), "reports": len(lat), "reported_before_receipt_seen": early[0],
        "failed_reports": failed[0],
        "pair_to_report_ms": {"p50": pct(lat, 0.5), "p99": pct(lat, 0.99),
                              "max": round(max(lat), 1) if lat else None,
                              "mean": round(statistics.fmean(lat), 1) if lat else None},
        "analyzer_ms": {"p50": pct(analyzer_ms, 0.5), "p99": pct(analyzer_ms, 0.99)},
        "goal_p99_under_150ms": bool(lat) and pct(lat, 0.99) < 150,
        "stage_ms": {k: {"p50": pct(v, 0.5), "p99": pct(v, 0.99), "n": len(v)}
                     for k, v in sorted(stages.items())},
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "confusion": matrix, "per_family": per_family,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--poll", type=float, default=0.1, help="follower poll interval (s)")
    ap.add_argument("--transport", choices=("ws", "poll"), default="ws",
                    help="follower: websocket new heads (the run path) or polling")
    args = ap.parse_args()
    with exit_on_signals():
        result = asyncio.run(bench(args.rounds, args.poll, args.transport))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
