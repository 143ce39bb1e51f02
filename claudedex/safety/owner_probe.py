"""Check 4: what the owner (or a hidden admin) could do to a buyer, found by simulation.

Why simulate instead of guessing from names: a function called ``syncRewards`` may mint and a
``setWebsite`` may be harmless. For every non-standard selector we find which arguments make
it succeed for a controller but revert for a stranger (a privileged function), then replay
the buyer's round trip after that call. A call that makes buying or selling fail, raises a
tax or mints supply is reported with the function, the caller and the effect. The same calls
are then measured between a buyer's buy and sell (effects.py), and every controller is asked
to move more than it holds (unbacked.py).

Upgrade targets are a stub that satisfies both proxy kinds (code present, proxiableUUID()
answering the ERC-1967 slot), so a UUPS implementation's own upgrade check passes and the
upgrade power shows; upgrade power held by one wallet is high on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from claudedex.domain import Finding, Severity
from claudedex.rpc.reader import ChainReader
from claudedex.safety.batch import call_many
from claudedex.safety.bytecode import BytecodeReport
from claudedex.safety.controllers import Controllers
from claudedex.safety.effects import call_effects, prefixed_trips
from claudedex.safety.prober import RANDOM_CALLER, REVERT_IMPL, Market
from claudedex.safety.roundtrip import RoundTrip
from claudedex.safety.sellability import EXTREME_TAX_BPS
from claudedex.safety.signatures import KNOWN, STANDARD, describe, generic_variants, typed_variants
from claudedex.safety.simkit import UPGRADE_STUB
from claudedex.safety.unbacked import unbacked_findings

MAX_SCENARIOS = 24
TAX_RAISE_BPS = 500
_OVERRIDES = {REVERT_IMPL: {"code": UPGRADE_STUB}}
UPGRADE_SELECTORS = frozenset({"0x3659cfe6", "0x4f1ef286"})  # upgradeTo, upgradeToAndCall


@dataclass(frozen=True)
class PowerCall:
    """A privileged call: selector, calldata, who may make it and how we found them."""

    selector: str
    data: bytes
    caller: str
    role: str


def _variants(sel: str, caller: str) -> list[bytes]:
    known = KNOWN.get(sel)
    body = typed_variants(known[1], caller) if known else generic_variants(caller)
    return [bytes.fromhex(sel[2:]) + b for b in body]


async def find_power_calls(
    reader: ChainReader, token: str, code: BytecodeReport, controllers: Controllers
) -> list[PowerCall]:
    """Calls that a controller can make and a stranger cannot."""
    selectors = [s for s in code.selectors if s not in STANDARD]
    if not selectors or not controllers.candidates:
        return []
    shapes = [(s, i, d) for s in selectors for i, d in enumerate(_variants(s, RANDOM_CALLER))]
    open_to_all = await call_many(reader, [(token, d, RANDOM_CALLER) for _, _, d in shapes],
                                  overrides=_OVERRIDES)
    guarded = [(s, i) for (s, i, _), out in zip(shapes, open_to_all, strict=True)
               if out is None]
    trials: list[PowerCall] = []
    for caller, role in controllers.candidates.items():
        per_caller = {s: _variants(s, caller) for s in selectors}
        trials += [PowerCall(s, per_caller[s][i], caller, role) for s, i in guarded]
    ok = await call_many(reader, [(token, t.data, t.caller) for t in trials],
                         overrides=_OVERRIDES)
    found = [t for t, out in zip(trials, ok, strict=True) if out is not None]
    # round-robin over selectors, so a scenario cap never hides a whole function
    by_selector: dict[str, list[PowerCall]] = {}
    for t in found:
        by_selector.setdefault(t.selector, []).append(t)
    ordered: list[PowerCall] = []
    while any(by_selector.values()):
        for calls in by_selector.values():
            if calls:
                ordered.append(calls.pop(0))
    return ordered


def _effect(base: RoundTrip, after: RoundTrip) -> tuple[str, Severity, str] | None:
    """Compare a short round trip after the owner's call with the baseline one."""
    b_buy, a_buy = base.leg("buy"), after.leg("buy")
    b_sell, a_sell = base.leg("sell_all"), after.leg("sell_all")
    if b_buy.ok and not a_buy.ok:
        return "OWNER_CAN_BLOCK_TRADING", Severity.CRITICAL, "buying then fails"
    if b_sell.ok and a_buy.ok and not a_sell.ok:
        return "OWNER_CAN_BLOCK_SELLS", Severity.CRITICAL, "selling then fails"
    for kind, b_leg, a_leg in (("sell", b_sell, a_sell), ("buy", b_buy, a_buy)):
        b, a = b_leg.shortfall_bps(), a_leg.shortfall_bps()
        if b is not None and a is not None and a - b >= TAX_RAISE_BPS:
            sev = Severity.CRITICAL if a >= EXTREME_TAX_BPS else Severity.HIGH
            return (f"OWNER_CAN_RAISE_{kind.upper()}_TAX", sev,
                    f"the {kind} tax then rises from {max(b, 0) / 100:.2f}% to {a / 100:.2f}%")
    if b_buy.supply and a_buy.supply > b_buy.supply + b_buy.supply // 100:
        grown = (a_buy.supply - b_buy.supply) * 100 // b_buy.supply
        sev = Severity.CRITICAL if grown >= 10 else Severity.HIGH
        return "OWNER_CAN_MINT", sev, f"total supply then grows by {grown}%"
    return None


PowerSearch = tuple[list[PowerCall], tuple[Finding, ...]]


async def search_powers(
    reader: ChainReader,
    market: Market,
    code: BytecodeReport,
    controllers: Controllers,
    head: dict[str, Any],
) -> PowerSearch:
    """The calls only a controller can make, and the unbacked-balance findings: the part of
    the owner probe that needs neither the round trip nor its baseline."""
    calls, unbacked = await asyncio.gather(
        find_power_calls(reader, market.token, code, controllers),
        unbacked_findings(reader, market, head, controllers.candidates))
    return calls, unbacked


async def probe_owner_powers(
    reader: ChainReader,
    market: Market,
    amount_in: int,
    code: BytecodeReport,
    controllers: Controllers,
    base: dict[str, Any] | None = None,
    search: Awaitable[PowerSearch] | None = None,
) -> tuple[Finding, ...]:
    """Findings for every controller call that hurts a buyer (worst one per function).

    ``search``: ``search_powers`` already started for the same arguments (the assessor
    starts it while the round trip runs); None: search now.
    """
    if not await reader.supports_simulate():
        return (Finding("OWNER_PROBE_SKIPPED", Severity.INFO,
                        "the node lacks eth_simulateV1; owner powers were not probed", {}),)
    head = base if base is not None else await reader.block("latest")
    calls, unbacked = await (search if search is not None
                             else search_powers(reader, market, code, controllers, head))
    calls = calls[:MAX_SCENARIOS]
    if not calls:
        return unbacked
    effects, (baseline, *trips) = await asyncio.gather(
        call_effects(reader, market, amount_in, head, calls, list(controllers.candidates)),
        prefixed_trips(reader, market, amount_in, head, calls))
    worst: dict[str, tuple[int, Finding]] = {}
    order = list(Severity)
    for call, trip in zip(calls, trips, strict=True):
        if trip.prefix_ok and not all(trip.prefix_ok):
            continue
        effect = _effect(baseline, trip)
        if effect is None:
            continue
        code_name, severity, what = effect
        name = describe(call.selector)
        finding = Finding(code_name, severity,
                          f"{name} called by the {call.role} {call.caller}: {what}",
                          {"function": name, "caller": call.caller, "role": call.role,
                           "calldata": "0x" + call.data.hex()})
        rank = order.index(severity)
        if call.selector not in worst or rank > worst[call.selector][0]:
            worst[call.selector] = (rank, finding)
    found = [f for _, f in worst.values()]
    found += _upgrade_powers(calls)
    found += [e for e in effects
              if (e.code, e.evidence.get("function")) not in {(f.code, f.evidence.get("function"))
                                                              for f in found}]
    found += unbacked
    if calls and not found:
        names = sorted({describe(c.selector) for c in calls})
        found.append(Finding("OWNER_FUNCTIONS_HARMLESS", Severity.INFO,
                             "privileged functions found; none hurt a buyer in simulation",
                             {"functions": ", ".join(names)}))
    return tuple(found)


def _upgrade_powers(calls: list[PowerCall]) -> list[Finding]:
    """UPGRADE_POWER (high) for each wallet that may replace the token's code alone."""
    out: list[Finding] = []
    seen: set[str] = set()
    for c in calls:
        if c.selector in UPGRADE_SELECTORS and c.caller not in seen:
            seen.add(c.caller)
            name = describe(c.selector)
            out.append(Finding(
                "UPGRADE_POWER", Severity.HIGH,
                f"the {c.role} {c.caller} can replace the token's code alone ({name})",
                {"function": name, "caller": c.caller, "role": c.role}))
    return out
