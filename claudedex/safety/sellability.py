"""Turn a simulated round trip into findings: taxes, sell traps, gas traps, lying balances.

Why the order of tests matters: a lying balanceOf makes "sell everything" revert exactly like
a max-sell trap, and a cooldown looks like a honeypot until time passes; each leg of the
scenario exists to tell such pairs apart, and the finding names the leg that proved it.
"""

from __future__ import annotations

from dataclasses import dataclass

from claudedex.domain import Finding, Severity
from claudedex.safety.horizons import (
    decayed_at,
    first_working,
    horizon_findings,
    horizon_results,
    horizon_summary,
)
from claudedex.safety.prober import Leg
from claudedex.safety.roundtrip import NORMAL_GAS, RoundTrip

EXTREME_TAX_BPS = 5000
HIGH_TAX_BPS = 1500
NOTABLE_TAX_BPS = 30  # below this, rounding and price impact dominate
HIGH_SELL_GAS = 600_000


@dataclass(frozen=True)
class Sellability:
    """What the round trip established, plus its findings."""

    findings: tuple[Finding, ...]
    can_buy: bool
    can_sell: bool
    buy_tax_bps: int | None
    sell_tax_bps: int | None
    transfer_tax_bps: int | None
    sell_gas: int | None
    supply: int


def _ev(leg: Leg, **extra: object) -> dict[str, str]:
    out = {"ok": str(leg.ok), "amount": str(leg.amount), "expected": str(leg.expected),
           "received": str(leg.received), "gas": str(leg.gas)}
    out.update({k: str(v) for k, v in extra.items()})
    return out


def _tax_finding(kind: str, bps: int, leg: Leg) -> Finding | None:
    code = f"{kind.upper()}_TAX"
    if bps >= EXTREME_TAX_BPS:
        return Finding(f"EXTREME_{code}", Severity.CRITICAL,
                       f"{kind} tax is {bps / 100:.2f}%: most of every {kind} is taken", _ev(leg))
    if bps >= HIGH_TAX_BPS:
        return Finding(f"HIGH_{code}", Severity.HIGH, f"{kind} tax is {bps / 100:.2f}%", _ev(leg))
    if bps >= NOTABLE_TAX_BPS:
        return Finding(code, Severity.LOW, f"{kind} tax is {bps / 100:.2f}%", _ev(leg))
    return None


def judge_round_trip(rt: RoundTrip) -> Sellability:
    """Findings for one baseline round trip (no owner actions before it)."""
    f: list[Finding] = []
    buy = rt.leg("buy")
    if not buy.ran:
        f.append(Finding("SIMULATION_FAILED", Severity.HIGH,
                         f"the round-trip simulation did not run ({rt.method})", {}))
        return Sellability(tuple(f), False, False, None, None, None, None, 0)
    if not buy.ok:
        f.append(Finding("BUY_FAILS", Severity.HIGH,
                         "buying through the router reverts (trading closed or blocked)",
                         _ev(buy)))
        return Sellability(tuple(f), False, False, None, None, None, None, buy.supply)

    pair_out = max(buy.pair_before - buy.pair_after, 0)
    lying = pair_out > 0 and buy.received > pair_out + pair_out // 1000
    if lying:
        f.append(Finding(
            "LYING_BALANCE", Severity.CRITICAL,
            f"balanceOf reports {buy.received} tokens bought but only {pair_out} left the pair",
            _ev(buy, pair_out=pair_out)))
    real_received = min(buy.received, pair_out) if pair_out else buy.received
    buy_tax = None
    if buy.expected > 0:
        buy_tax = max((buy.expected - real_received) * 10_000 // buy.expected, 0)
        tf = _tax_finding("buy", buy_tax, buy)
        if tf:
            f.append(tf)

    send, fresh = rt.leg("send"), rt.leg("fresh_sell")
    transfer_tax = None
    if send.attempted and not send.ok:
        f.append(Finding("TRANSFER_BLOCKED", Severity.HIGH,
                         "a plain transfer to a fresh wallet reverts", _ev(send)))
    elif send.attempted and send.amount:
        transfer_tax = max((send.amount - send.receiver_delta) * 10_000 // send.amount, 0)
        if send.sender_delta != send.amount and not lying:
            f.append(Finding("LYING_BALANCE", Severity.CRITICAL,
                             f"sending {send.amount} lowered the sender's balance by "
                             f"{send.sender_delta}",
                             _ev(send, sender_delta=send.sender_delta,
                                 receiver_delta=send.receiver_delta)))
        tf = _tax_finding("transfer", transfer_tax, send)
        if tf:
            f.append(tf)

    sell_all = rt.leg("sell_all")
    part, dust = rt.leg("sell_part"), rt.leg("sell_dust")
    unlimited = rt.leg("sell_unlimited")
    sell_tax: int | None = None
    sell_gas: int | None = None
    can_sell = sell_all.ok
    horizons = horizon_results(rt.legs)
    if sell_all.ok:
        sell_tax = max(sell_all.shortfall_bps() or 0, 0)
        sell_gas = sell_all.gas
        tf = _tax_finding("sell", sell_tax, sell_all)
        decay = decayed_at(horizons, sell_tax)
        if decay is not None:
            tf = Finding("LAUNCH_TAX_DECAYS", Severity.HIGH,
                         f"the sell tax is {sell_tax / 100:.2f}% at launch and falls below "
                         f"{HIGH_TAX_BPS / 100:.0f}% by {decay.horizon.label}",
                         _ev(sell_all, duration_s=decay.horizon.seconds,
                             horizon=decay.horizon.label))
        if tf:
            f.append(tf)
        if sell_gas > HIGH_SELL_GAS:
            f.append(Finding("SELL_GAS_HIGH", Severity.HIGH,
                             f"a sell costs {sell_gas} gas", _ev(sell_all)))
        if fresh.attempted and not fresh.ok:
            f.append(Finding("FRESH_WALLET_CANNOT_SELL", Severity.CRITICAL,
                             "the buyer can sell, but a wallet the tokens were sent to cannot",
                             _ev(fresh)))
    elif unlimited.ok and unlimited.attempted:
        can_sell = True
        sell_gas = unlimited.gas
        f.append(Finding("GAS_TRAP", Severity.CRITICAL,
                         f"a sell needs {unlimited.gas} gas; it fails under a normal "
                         f"{NORMAL_GAS} gas limit", _ev(unlimited)))
    elif part.ok or dust.ok:
        which = part if part.ok else dust
        sell_tax = max(which.shortfall_bps() or 0, 0)
        if not lying:
            f.append(Finding("MAX_SELL_TRAP", Severity.CRITICAL,
                             f"selling the whole balance reverts; only {which.amount} tokens "
                             "at a time can be sold", _ev(sell_all, sold=which.amount)))
    elif (first := first_working(horizons)) is not None:
        f.append(Finding("SELL_COOLDOWN", Severity.CRITICAL,
                         "selling reverts right after buying and first works "
                         f"{first.horizon.label} later",
                         _ev(first.held, duration_s=first.horizon.seconds,
                             horizon=first.horizon.label)))
    else:
        f.append(Finding("HONEYPOT", Severity.CRITICAL,
                         "selling reverts: bought tokens cannot be sold", _ev(sell_all)))
    if horizons:
        f += horizon_findings(horizons, sell_all.ok, sell_tax if sell_all.ok else None,
                              buy_tax)
        summary = horizon_summary(horizons)
        if "horizon_block_cap" in rt.extra:  # the node limits a simulation's span
            summary["block_cap"] = str(rt.extra["horizon_block_cap"])
        f.append(Finding("HELD_INTO_FUTURE", Severity.INFO,
                         "launch positions sold at every horizon", summary))
    return Sellability(tuple(f), True, can_sell, buy_tax, sell_tax, transfer_tax, sell_gas,
                       buy.supply)
