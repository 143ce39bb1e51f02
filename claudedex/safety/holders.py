"""Check 6: who holds the supply, rebuilt from Transfer logs.

Why logs and not balanceOf: the log history names every holder (balanceOf needs the names
first) and exposes supply that appeared without a Transfer event (a silent mint).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from claudedex.domain import Finding, Severity
from claudedex.errors import RpcError
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import ZERO_ADDRESS, as_address
from claudedex.safety.controllers import DEAD

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
TOP = 10


async def holder_findings(
    reader: ChainReader,
    token: str,
    pair: str,
    supply: int,
    creator: str | None,
    *,
    from_block: int,
) -> tuple[Finding, ...]:
    """Concentration, the creator's share, contracts among top holders, unlogged supply."""
    try:
        logs = await reader.logs({"address": token, "topics": [TRANSFER_TOPIC],
                                  "fromBlock": hex(max(from_block, 0)), "toBlock": "latest"})
    except RpcError as exc:
        return (Finding("HOLDERS_UNKNOWN", Severity.INFO,
                        f"Transfer logs unavailable: {exc}", {}),)
    bal: dict[str, int] = defaultdict(int)
    minted = 0
    for log in logs:
        topics = log.get("topics", [])
        if len(topics) < 3:
            continue
        src = as_address(bytes.fromhex(topics[1][2:]))
        dst = as_address(bytes.fromhex(topics[2][2:]))
        value = int(log.get("data", "0x0") or "0x0", 16) if log.get("data") != "0x" else 0
        if src == ZERO_ADDRESS:
            minted += value
        else:
            bal[src] -= value
        bal[dst] += value
    f: list[Finding] = []
    if supply and minted and minted != supply and from_block == 0:
        f.append(Finding("SUPPLY_NOT_LOGGED", Severity.HIGH,
                         f"total supply {supply} differs from the {minted} minted in Transfer "
                         "events (silent mint or burn)", {"minted": str(minted)}))
    skip = {pair.lower(), ZERO_ADDRESS, DEAD}
    top = sorted(((a, b) for a, b in bal.items() if a not in skip and b > 0),
                 key=lambda x: -x[1])[:TOP]
    if not supply or not top:
        return tuple(f)
    codes = await asyncio.gather(*(reader.code(a) for a, _ in top))
    top_bps = sum(b for _, b in top) * 10_000 // supply
    biggest, biggest_bal = top[0]
    big_bps = biggest_bal * 10_000 // supply
    evidence = {"top10_bps": str(top_bps), "largest": biggest, "largest_bps": str(big_bps),
                "holders": str(len(bal))}
    if big_bps >= 5000:
        f.append(Finding("CONCENTRATED_SUPPLY", Severity.MEDIUM,
                         f"one wallet outside the pool holds {big_bps / 100:.2f}% of supply",
                         evidence))
    else:
        f.append(Finding("HOLDERS", Severity.INFO,
                         f"top {len(top)} holders outside the pool hold {top_bps / 100:.2f}%",
                         evidence))
    if creator and bal.get(creator, 0) * 10_000 // supply >= 2000:
        share = bal[creator] * 10_000 // supply
        f.append(Finding("CREATOR_HOLDS_SUPPLY", Severity.MEDIUM,
                         f"the deployer still holds {share / 100:.2f}% of supply",
                         {"creator": creator, "share_bps": str(share)}))
    contracts = [a for (a, _), code in zip(top, codes, strict=True) if code]
    if contracts:
        f.append(Finding("CONTRACT_HOLDERS", Severity.INFO,
                         f"{len(contracts)} of the top holders are contracts",
                         {"contracts": ",".join(contracts)}))
    return tuple(f)
