"""Check 5b: LP tokens held by a contract: a real time lock, or a promise its owner can break.

Why simulate the locker instead of trusting its name or a "locked until" field: a locker
whose owner may withdraw at any time ("emergency withdrawal") is a wallet with extra steps.
The LP holders are rebuilt from the pair's Transfer logs; for each contract holding a
notable share, every non-standard function of the locker is called (plausible arguments:
lock id 0 or 1, the pair, the amount held, the caller) as the token's controllers and as the
locker's own owner, now and at later horizons (1 day to 5 years, by block-time override).
An LP balance that falls now is LP_UNLOCKED (whoever can do it may pull the pool); one that
falls only later is a real lock, reported with its unlock time (narrowed down by two batches
of probes between the horizons around it) as LP_LOCKED, or LP_LOCK_EXPIRES_SOON within a
week; none is locked for good (as good as burned).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from claudedex.domain import Finding, Severity
from claudedex.errors import RpcError
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import ZERO_ADDRESS, addr_word, as_address, word
from claudedex.safety.batch import simulate_many
from claudedex.safety.bytecode import analyze_code
from claudedex.safety.controllers import DEAD, OWNER_SELECTORS
from claudedex.safety.signatures import STANDARD
from claudedex.safety.simkit import (
    TRANSFER_TOPIC,
    balance_call,
    block_spec,
    call,
    decode_blocks,
    run_blocks,
)

MIN_SHARE_BPS = 1000  # a contract holding 10 % or more of the LP is examined
MAX_LOCKERS = 2
MAX_SELECTORS = 12
SPLITS = 64  # probes per round when narrowing down a lock's unlock time
SOON_S = 7 * 86_400  # a lock that opens within a week protects nobody for long
HORIZONS = ((86_400, "1 day"), (SOON_S, "7 days"), (30 * 86_400, "30 days"),
            (180 * 86_400, "180 days"), (365 * 86_400 + 3600, "1 year"),
            (2 * 365 * 86_400, "2 years"),
            (5 * 365 * 86_400, "5 years"))


async def lp_holders(reader: ChainReader, pair: str, from_block: int) -> dict[str, int]:
    """LP balances rebuilt from the pair's Transfer logs (address -> net received)."""
    logs = await reader.logs({"address": pair, "topics": [TRANSFER_TOPIC],
                              "fromBlock": hex(max(from_block, 0)), "toBlock": "latest"})
    bal: dict[str, int] = defaultdict(int)
    for log in logs:
        topics = log.get("topics", [])
        if len(topics) < 3:
            continue
        value = int(str(log.get("data") or "0x0"), 16) if log.get("data") != "0x" else 0
        bal[as_address(bytes.fromhex(topics[1][2:]))] -= value
        bal[as_address(bytes.fromhex(topics[2][2:]))] += value
    return {a: v for a, v in bal.items() if v > 0}


def _variants(pair: str, amount: int, caller: str) -> list[bytes]:
    p, c = addr_word(pair), addr_word(caller)
    return [b"", word(0), word(1), p, p + word(amount), word(amount), word(0) + word(amount),
            p + word(amount) + c, c, c + word(amount)]


async def _owner_of(reader: ChainReader, contract: str) -> str | None:
    for data in OWNER_SELECTORS.values():
        value = await reader.call_word(contract, data)
        if value is not None and 0 < value < 2**160:
            return as_address(value)
    return None


async def _first_withdrawal(reader: ChainReader, head: dict[str, Any], pair: str, locker: str,
                            held: int, caller: str, selectors: list[str]
                            ) -> tuple[int, str] | None:
    """(horizon index, calldata) of the first call that lowers the locker's LP; index -1 is
    now. Per caller: one simulated block now; if nothing works, one block per horizon."""
    attempts: list[dict[str, Any]] = []
    for sel in selectors:
        for body in _variants(pair, held, caller):
            attempts.append(call(locker, sel + body.hex(), caller))
            attempts.append(balance_call(pair, locker))
    for first, times in ((-1, [12]), (0, [h for h, _ in HORIZONS])):
        out = await run_blocks(reader, head, [attempts] * len(times), times=times)
        for index, block in enumerate(out):
            for k in range(0, len(block), 2):
                read = block[k + 1]
                if block[k].ok and read.ok and read.word < held:
                    return first + index, str(attempts[k]["data"])
    return None


async def _opens_at(reader: ChainReader, head: dict[str, Any], pair: str, locker: str,
                    held: int, caller: str, data: str, lo: int, hi: int) -> int:
    """Seconds after head when ``data`` first withdraws, known to lie in (lo, hi]: two rounds
    of SPLITS probes (one batch each) narrow it to (hi - lo) / SPLITS**2."""
    calls = [call(locker, data, caller), balance_call(pair, locker)]
    for _ in range(2):
        points = [lo + (hi - lo) * (k + 1) // SPLITS for k in range(SPLITS)]
        raw = await simulate_many(reader, [block_spec(head, [calls], times=[t]) for t in points])
        for t, r in zip(points, raw, strict=True):
            moved, read = decode_blocks(r)[0]
            if moved.ok and read.ok and read.word < held:
                hi = t
                break
            lo = t
    return hi


async def _examine(reader: ChainReader, head: dict[str, Any], pair: str, locker: str,
                   held: int, share: int, controllers: dict[str, str]) -> Finding | None:
    code, owner = await asyncio.gather(reader.code(locker), _owner_of(reader, locker))
    if not code:
        return None
    selectors = [s for s in analyze_code(code).selectors if s not in STANDARD][:MAX_SELECTORS]
    callers = dict(controllers)
    if owner:
        callers.setdefault(owner, "locker owner")
    if not selectors or not callers:
        return None
    found = await asyncio.gather(*(_first_withdrawal(reader, head, pair, locker, held, c,
                                                     selectors) for c in callers))
    hits = [(r, c) for r, c in zip(found, callers, strict=True) if r is not None]
    ev = {"locker": locker, "share_bps": str(share), "locker_owner": owner or ""}
    if not hits:
        return Finding("LP_LOCKED", Severity.INFO,
                       f"{share / 100:.2f}% of LP is held by contract {locker}; no withdrawal "
                       f"by the token's controllers or the locker's owner works within "
                       f"{HORIZONS[-1][1]}", ev)
    (index, data), who = min(hits, key=lambda h: h[0][0])
    role = callers[who]
    if index < 0:
        return Finding("LP_UNLOCKED", Severity.HIGH,
                       f"{share / 100:.2f}% of LP sits in contract {locker}, but the {role} "
                       f"{who} can withdraw it now: the lock is a promise only",
                       {**ev, "holder": who, "role": role, "calldata": data})
    lo = HORIZONS[index - 1][0] if index else 12
    opens = await _opens_at(reader, head, pair, locker, held, who, data, lo, HORIZONS[index][0])
    unlock = int(head["timestamp"], 16) + opens
    soon = opens <= SOON_S
    return Finding("LP_LOCK_EXPIRES_SOON" if soon else "LP_LOCKED",
                   Severity.MEDIUM if soon else Severity.INFO,
                   f"{share / 100:.2f}% of LP is time-locked in contract {locker}; the {role} "
                   f"can withdraw it in about {opens / 86_400:.1f} days (unix time {unlock})",
                   {**ev, "unlock_time": str(unlock), "unlock_in_seconds": str(opens),
                    "holder": who, "role": role, "calldata": data})


async def lp_contract_findings(
    reader: ChainReader,
    pair: str,
    total_lp: int,
    controllers: dict[str, str],
    head: dict[str, Any],
    *,
    from_block: int,
) -> tuple[Finding, ...]:
    """Findings for contracts holding at least MIN_SHARE_BPS of the LP (see module doc)."""
    if not await reader.supports_simulate():
        return ()  # lockers are judged by simulation only
    try:
        holders = await lp_holders(reader, pair, from_block)
    except RpcError:
        return ()
    skip = {ZERO_ADDRESS, DEAD, pair.lower(), *controllers}
    big = sorted(((v, a) for a, v in holders.items()
                  if a not in skip and v * 10_000 >= total_lp * MIN_SHARE_BPS), reverse=True)
    codes = await asyncio.gather(*(reader.code(a) for _, a in big))
    lockers = [(a, v) for (v, a), c in zip(big, codes, strict=True) if c][:MAX_LOCKERS]
    out = await asyncio.gather(*(
        _examine(reader, head, pair, a, v, v * 10_000 // total_lp, controllers)
        for a, v in lockers))
    return tuple(f for f in out if f is not None)
