"""A deterministic sample swap history, for tests, demos and benchmarks.

Why in the package: tests and the benchmark need history with trends, noise and one rug
pull, reproducible to the wei from a seed, without a chain.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claudedex.amm import get_amount_out

WEI = 10**18


def sample_rows(
    seed: int = 7, pairs: int = 2, swaps: int = 600, block_time: int = 12
) -> Iterator[dict[str, Any]]:
    """Swaps on ``pairs`` Uniswap V2 pools: trending waves with noise, exact reserves."""
    rng = random.Random(seed)
    pools: list[list[Any]] = []
    for i in range(pairs):
        token = f"0x{(0xA0 + i):040x}"
        pair = f"0x{(0xB0 + i):040x}"
        rq = (50 + 25 * i) * WEI
        rt = rq * (1000 + 300 * i)
        pools.append([pair, token, rt, rq])
    ts0, block0 = 1_700_000_000, 1_000
    for i, (pair, token, _, _) in enumerate(pools):
        yield {
            "kind": "report",
            "ts": ts0,
            "block": block0,
            "token": token,
            "pair": pair,
            "verdict": "safe",
            "deployer": f"0x{0xD0 + i:040x}",
        }
        yield {
            "kind": "score",
            "ts": ts0,
            "token": token,
            "scam_probability": 0.05 + 0.05 * i,
            "pump_probability": 0.7,
        }
    for n in range(swaps):
        ts = ts0 + (n + 1) * block_time
        block = block0 + n + 1
        idx = n % pairs
        pool = pools[idx]
        phase = (n // (60 * pairs)) % 2  # alternating up- and down-trends
        buy = rng.random() < (0.68 if phase == 0 else 0.32)
        size = rng.randint(1, 40) * WEI // 100  # 0.01 .. 0.4 ETH-equivalent
        pair, token, rt, rq = pool
        if buy:
            out = get_amount_out(size, rq, rt)
            rq, rt = rq + size, rt - out
            amt_in, amt_out = size, out
        else:
            tok_in = size * rt // rq
            out = get_amount_out(tok_in, rt, rq)
            rt, rq = rt + tok_in, rq - out
            amt_in, amt_out = tok_in, out
        pool[2], pool[3] = rt, rq
        yield {
            "kind": "swap",
            "block": block,
            "ts": ts,
            "pair": pair,
            "token": token,
            "reserve_token": rt,
            "reserve_quote": rq,
            "amount_in": amt_in,
            "amount_out": amt_out,
            "side": "buy" if buy else "sell",
            "trader": f"0x{rng.getrandbits(160):040x}",
        }


def write_sample(path: Path, **kwargs: Any) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in sample_rows(**kwargs):
            fh.write(json.dumps(row, separators=(",", ":")) + "\n")
    return path
