"""Check 7: contracts the token's transfers depend on, and whether they can stop sells.

Why: a transfer that asks another contract how much a holder may move (or whether it may
move at all) is only as honest as whoever controls that contract; the token itself can be
renounced and look clean. The buy, transfer and sell legs (the Prober's ``roundTrip``) are
traced with ``debug_traceCall`` and the ``callTracer`` (anvil, geth, reth, Erigon all have
it); every call the token makes into a contract other than the pair, the router, the quote
token, its own implementation and contracts with the very code of the pair or the router
(another pool of the same DEX) is reported. Then the round trip is simulated again with
that contract's code replaced by state override, by a stub that reverts, one that returns 0
and one that returns a huge value: a buy or sell that then fails means a contract someone
else controls can close trading, a scam finding.

Fallback: a node without ``debug_traceCall`` (or one that refuses tracer options) gets the
contracts named in the token's storage and code constants as the candidates instead (the
stub round trips are the same), and an INFO finding says so.
"""

from __future__ import annotations

import asyncio
from typing import Any

from eth_utils.crypto import keccak

from claudedex.domain import Finding, Severity
from claudedex.errors import RpcError
from claudedex.rpc.reader import ChainReader
from claudedex.safety.batch import simulate_many
from claudedex.safety.prober import FRESH_WALLET, PROBER, RANDOM_CALLER, Leg, Market
from claudedex.safety.simkit import (
    CALL_GAS,
    STUB_HUGE,
    STUB_REVERT,
    STUB_ZERO,
    block_spec,
    call,
    decode_blocks,
    prober_overrides,
)

NORMAL_GAS = 1_500_000
MAX_DEPENDENCIES = 3
STUBS = (("reverts", STUB_REVERT), ("returns 0", STUB_ZERO), ("returns a huge value", STUB_HUGE))
_ROUND_TRIP = keccak(text="roundTrip(address,address,address,address,address,uint256,uint256)")
PRECOMPILE_LIMIT = 2**16


def _walk(frame: dict[str, Any], token: str, found: dict[str, str]) -> None:
    """Contracts the token CALLs or STATICCALLs. DELEGATECALL targets are skipped: their
    code runs as the token's own (a proxy's implementation, a library) and a pointer that can
    change is an upgrade power, which owner probing finds; calls made from inside that code
    still come from the token and are walked."""
    for sub in frame.get("calls") or ():
        kind = str(sub.get("type", "CALL")).upper()
        if (str(sub.get("from", "")).lower() == token and sub.get("to")
                and kind not in ("DELEGATECALL", "CALLCODE")):
            found.setdefault(str(sub["to"]).lower(), kind)
        _walk(sub, token, found)


async def traced_calls(reader: ChainReader, market: Market, amount_in: int) -> dict[str, str]:
    """Addresses the token calls during buy, transfer and sells -> call type.

    Raises RpcError when the node cannot trace calls.
    """
    from eth_abi.abi import encode  # 17 ms to import: a replay never probes

    data = _ROUND_TRIP[:4] + encode(
        ["address"] * 5 + ["uint256", "uint256"],
        [market.router, market.quote, market.token, market.pair, FRESH_WALLET, amount_in,
         NORMAL_GAS])
    tx = {"from": RANDOM_CALLER, "to": PROBER, "data": "0x" + data.hex(), "gas": hex(CALL_GAS)}
    opts = {"tracer": "callTracer", "stateOverrides": prober_overrides()}
    trace = await reader.request("debug_traceCall", [tx, "latest", opts])
    found: dict[str, str] = {}
    if isinstance(trace, dict):
        _walk(trace, market.token, found)
    return found


def _stubbed_trip(market: Market, amount_in: int, head: dict[str, Any], target: str,
                  stub: str) -> list[dict[str, Any]]:
    """A buy then a sell with ``target``'s code replaced by ``stub`` (simulation blocks)."""
    blocks = [[call(PROBER, market.buy(amount_in, NORMAL_GAS))],
              [call(PROBER, market.sell(10_000, NORMAL_GAS))]]
    return block_spec(head, blocks, overrides=prober_overrides({target: {"code": stub}}))


def _legs_ok(raw: list[Any]) -> tuple[bool, bool]:
    """(buy ok, sell ok) of one stubbed trip."""
    out = decode_blocks(raw)
    buy = Leg.decode(out[0][0].ok, out[0][0].data)
    sell = Leg.decode(out[1][0].ok, out[1][0].data)
    return buy.ok, sell.ok


async def _not_amm(reader: ChainReader, market: Market, deps: list[str]) -> list[str]:
    """Drop contracts with the very code of our pair or router (another pair of the same DEX,
    a second router deployment): their code has no owner, so nobody controls them."""
    if not deps:
        return []
    codes = await asyncio.gather(*(reader.code(a) for a in [market.pair, market.router, *deps]))
    amm = {codes[0], codes[1]}
    return [d for d, c in zip(deps, codes[2:], strict=True) if c not in amm]


async def dependency_findings(
    reader: ChainReader,
    market: Market,
    amount_in: int,
    head: dict[str, Any],
    *,
    can_sell: bool,
    implementation: str | None,
    named_contracts: dict[str, str],
) -> tuple[Finding, ...]:
    """Report the token's external dependencies; critical when one can stop buys or sells.

    ``can_sell``: the baseline round trip sold (otherwise nothing is compared);
    ``named_contracts``: contracts found in storage/code (the fallback's candidates).
    """
    skip = {market.pair, market.router, market.quote, market.token, PROBER, FRESH_WALLET,
            (implementation or "").lower()}
    findings: list[Finding] = []
    try:
        called = await traced_calls(reader, market, amount_in)
        how = "traced"
    except RpcError as exc:
        called = {a: "named in storage or code" for a in named_contracts}
        how = "named"
        findings.append(Finding("DEPENDENCY_TRACE_SKIPPED", Severity.INFO,
                                f"the node cannot trace calls ({exc}); contracts named in the "
                                "token's storage and code were tried instead", {}))
    deps = [a for a in called if a not in skip and int(a, 16) >= PRECOMPILE_LIMIT]
    deps = (await _not_amm(reader, market, deps))[:MAX_DEPENDENCIES]
    if not deps or not can_sell or not await reader.supports_simulate():
        return tuple(findings)
    trials = [(d, label, stub) for d in deps for label, stub in STUBS]
    raw = await simulate_many(reader, [_stubbed_trip(market, amount_in, head, d, stub)
                                       for d, _, stub in trials])
    results = [_legs_ok(r) for r in raw]
    broken: dict[str, list[str]] = {}
    for (dep, label, _), (buy_ok, sell_ok) in zip(trials, results, strict=True):
        if not buy_ok or not sell_ok:
            leg = "buying" if not buy_ok else "selling"
            broken.setdefault(dep, []).append(f"{leg} fails when it {label}")
    for dep in deps:
        ev = {"contract": dep, "call": called[dep], "found": how}
        if dep in broken:
            findings.append(Finding(
                "EXTERNAL_DEPENDENCY", Severity.CRITICAL,
                f"transfers depend on contract {dep}, which someone else controls: "
                + "; ".join(broken[dep]), {**ev, "effects": "; ".join(broken[dep])}))
        elif how == "traced":
            findings.append(Finding(
                "EXTERNAL_CALL", Severity.MEDIUM,
                f"transfers call contract {dep}; trading survived it reverting, returning 0 "
                "and returning a huge value", ev))
    return tuple(findings)
