"""Judge the wallet's round trip against the Prober's: every difference is a finding.

Why compare instead of judging the wallet alone: the Prober's legs catch tokens that treat
contracts differently (they silently ignore transfers from contracts, say), the wallet's
legs catch tokens that treat simulators differently (gas price 0, a seller with code). A
token that behaves the same for both is judged by the Prober's findings; where they differ,
the difference is reported and the worse side decides:

- the Prober sells, the wallet cannot: ``VICTIM_CANNOT_SELL`` (critical: the token lets
  simulators through and traps real wallets);
- the Prober buys, the wallet cannot: ``VICTIM_CANNOT_BUY`` (high);
- the wallet's tax is ``TAX_GAP_BPS`` or more above the Prober's: ``VICTIM_TAX_HIGHER``
  (critical from 50 %, high from 15 %, medium below);
- the Prober cannot buy (tokens sent to contracts revert) but the wallet can:
  ``CONTRACT_BUYERS_BLOCKED`` (medium), and the wallet's own legs decide the sell findings
  the Prober could not make (``HONEYPOT``, ``SELL_COOLDOWN`` with its duration, taxes);
- any other disagreement: ``VICTIM_PROBER_DIFFER`` (medium).
The wallet's horizons add ``SELLS_FAIL_LATER`` / ``SELL_TAX_RISES_LATER`` when the Prober's
horizons did not already find them.
"""

from __future__ import annotations

from typing import Any

from claudedex.domain import Finding, Severity
from claudedex.rpc.reader import ChainReader
from claudedex.safety.horizons import HIGH_TAX_BPS, TAX_RISE_BPS
from claudedex.safety.prober import Market
from claudedex.safety.roundtrip import PrefixCall, RoundTrip
from claudedex.safety.sellability import EXTREME_TAX_BPS, NOTABLE_TAX_BPS, Sellability
from claudedex.safety.victim import VictimTrip, WalletLeg, victim_round_trip

TAX_GAP_BPS = 500


def _ev(trip: VictimTrip, leg: WalletLeg, **extra: object) -> dict[str, str]:
    out = {"method": trip.method, "gas_price": str(trip.gas_price),
           "base_fee": str(trip.base_fee), "ok": str(leg.ok), "amount": str(leg.amount),
           "expected": str(leg.expected), "received": str(leg.received), "gas": str(leg.gas)}
    out.update({k: str(v) for k, v in extra.items()})
    return out


def _tax(kind: str, bps: int, trip: VictimTrip, leg: WalletLeg) -> Finding | None:
    code = f"{kind.upper()}_TAX"
    what = f"a wallet's {kind} tax is {bps / 100:.2f}%"
    if bps >= EXTREME_TAX_BPS:
        return Finding(f"EXTREME_{code}", Severity.CRITICAL, what, _ev(trip, leg))
    if bps >= HIGH_TAX_BPS:
        return Finding(f"HIGH_{code}", Severity.HIGH, what, _ev(trip, leg))
    if bps >= NOTABLE_TAX_BPS:
        return Finding(code, Severity.LOW, what, _ev(trip, leg))
    return None


def summary(trip: VictimTrip) -> Finding:
    """The INFO finding that shows how the wallet's trade went and in which environment."""
    ev = _ev(trip, trip.buy, buy_ok=trip.buy.ok, sell_ok=trip.sell.ok,
             buy_tax_bps=trip.buy.tax_bps(), sell_tax_bps=trip.sell.tax_bps(), runs=trip.runs,
             **trip.extra)
    for h, leg in trip.horizons:
        ev[f"horizon {h.label}"] = (("ok" if leg.ok else "reverted") if leg.attempted
                                    else "none") + f" tax_bps={leg.tax_bps()}"
    return Finding("VICTIM_TRADE", Severity.INFO,
                   "the round trip as a wallet sends it (no code, real gas price and base fee)",
                   ev)


def _wallet_only(trip: VictimTrip) -> list[Finding]:
    """Sell findings from the wallet's legs alone (the Prober could not even buy)."""
    out: list[Finding] = []
    buy_tax = trip.buy.tax_bps()
    if buy_tax is not None and (f := _tax("buy", buy_tax, trip, trip.buy)):
        out.append(f)
    if trip.sell.ok:
        sell_tax = trip.sell.tax_bps()
        if sell_tax is not None and (f := _tax("sell", sell_tax, trip, trip.sell)):
            out.append(f)
        return out
    if not trip.sell.attempted or not trip.horizons:
        return out
    first = next(((h, leg) for h, leg in trip.horizons if leg.attempted and leg.ok), None)
    if first is None:
        out.append(Finding("HONEYPOT", Severity.CRITICAL,
                           "a wallet can buy but its sells revert now and at every horizon",
                           _ev(trip, trip.sell)))
    else:
        h, leg = first
        out.append(Finding("SELL_COOLDOWN", Severity.CRITICAL,
                           f"a wallet's sell reverts right after buying and first works "
                           f"{h.label} later", _ev(trip, leg, duration_s=h.seconds,
                                                   horizon=h.label)))
    return out


def _horizons(trip: VictimTrip, known: set[str]) -> list[Finding]:
    out: list[Finding] = []
    if not trip.sell.ok:
        return out
    launch_tax = trip.sell.tax_bps()
    for h, leg in trip.horizons:
        if not leg.attempted:
            continue
        if not leg.ok and "SELLS_FAIL_LATER" not in known:
            out.append(Finding("SELLS_FAIL_LATER", Severity.CRITICAL,
                               f"time bomb: a wallet's sell works at launch but reverts "
                               f"{h.label} later", _ev(trip, leg, horizon=h.label)))
            break
        later = leg.tax_bps()
        if (launch_tax is not None and later is not None and later - launch_tax >= TAX_RISE_BPS
                and "SELL_TAX_RISES_LATER" not in known):
            sev = Severity.CRITICAL if later >= HIGH_TAX_BPS else Severity.HIGH
            out.append(Finding("SELL_TAX_RISES_LATER", sev,
                               f"time bomb: a wallet's sell tax rises from "
                               f"{launch_tax / 100:.2f}% to {later / 100:.2f}% {h.label} later",
                               _ev(trip, leg, horizon=h.label, launch_tax_bps=launch_tax,
                                   later_tax_bps=later)))
            break
    return out


def _gap(kind: str, wallet: int | None, prober: int | None, trip: VictimTrip,
         leg: WalletLeg) -> Finding | None:
    if wallet is None or prober is None or abs(wallet - prober) < TAX_GAP_BPS:
        return None
    ev = _ev(trip, leg, wallet_tax_bps=wallet, prober_tax_bps=prober)
    if wallet < prober:
        return Finding("VICTIM_PROBER_DIFFER", Severity.MEDIUM,
                       f"a wallet's {kind} tax ({wallet / 100:.2f}%) is lower than a "
                       f"contract's ({prober / 100:.2f}%)", ev)
    sev = (Severity.CRITICAL if wallet >= EXTREME_TAX_BPS else
           Severity.HIGH if wallet >= HIGH_TAX_BPS else Severity.MEDIUM)
    return Finding(f"VICTIM_{kind.upper()}_TAX_HIGHER", sev,
                   f"a wallet pays a {kind} tax of {wallet / 100:.2f}%, a contract "
                   f"{prober / 100:.2f}%: the token treats simulators differently", ev)


def victim_findings(
    trip: VictimTrip, *, prober_bought: bool, prober_sold: bool,
    prober_buy_tax: int | None, prober_sell_tax: int | None, known: set[str],
) -> list[Finding]:
    """Findings from the wallet's trip compared with the Prober's baseline.

    ``prober_sold``: the Prober's full sell right after its buy worked; ``known``: codes
    the Prober's legs already reported (a time bomb is not reported twice).
    """
    if trip.error:
        return [Finding("VICTIM_SIMULATION_FAILED", Severity.MEDIUM,
                        f"the wallet's round trip could not be simulated: {trip.error}", {})]
    out = [summary(trip)]
    if not trip.buy.ok:
        if prober_bought:
            out.append(Finding("VICTIM_CANNOT_BUY", Severity.HIGH,
                               "a contract can buy but a wallet's buy reverts",
                               _ev(trip, trip.buy)))
        return out
    if trip.method != "eth_simulateV1":
        out.append(Finding("VICTIM_SELL_UNTESTED", Severity.INFO,
                           "the node lacks eth_simulateV1: only the wallet's buy was tried", {}))
        return out
    if not prober_bought:
        out.append(Finding("CONTRACT_BUYERS_BLOCKED", Severity.MEDIUM,
                           "a wallet can buy but a contract cannot (tokens sent to contracts "
                           "revert): judged from the wallet's trades", _ev(trip, trip.buy)))
        return out + _wallet_only(trip) + _horizons(trip, known)
    if prober_sold and trip.sell.attempted and not trip.sell.ok:
        out.append(Finding("VICTIM_CANNOT_SELL", Severity.CRITICAL,
                           "a contract can sell but a wallet's sell reverts: the token lets "
                           "simulators through and traps real buyers", _ev(trip, trip.sell)))
        return out
    if not prober_sold and trip.sell.ok:
        out.append(Finding("VICTIM_PROBER_DIFFER", Severity.MEDIUM,
                           "a wallet's sell works where a contract's full sell reverts",
                           _ev(trip, trip.sell)))
    for kind, wallet, prober, leg in (
            ("buy", trip.buy.tax_bps(), prober_buy_tax, trip.buy),
            ("sell", trip.sell.tax_bps(), prober_sell_tax, trip.sell)):
        if (f := _gap(kind, wallet, prober, trip, leg)) is not None:
            out.append(f)
    return out + _horizons(trip, known)


async def check_victim(
    reader: ChainReader, market: Market, amount_in: int, head: dict[str, Any],
    prober: RoundTrip, base: Sellability, reserves: tuple[int, int],
    pending: tuple[PrefixCall, ...] = (),
) -> tuple[Finding, ...]:
    """Run the wallet's round trip (sized like the Prober's) and compare the two.

    ``reserves``: the pool's (quote, token) reserves, for a first guess of the tokens a
    buy gets when the Prober's own buy failed. One or two node round trips.
    """
    buy = prober.leg("buy")
    trip = await victim_round_trip(reader, market, amount_in, head,
                                   predicted=buy.received if buy.ok else 0,
                                   reserves=reserves, prefix=pending)
    found = victim_findings(trip, prober_bought=buy.ok, prober_sold=prober.leg("sell_all").ok,
                            prober_buy_tax=base.buy_tax_bps, prober_sell_tax=base.sell_tax_bps,
                            known={f.code for f in base.findings})
    return tuple(found)


def wallet_taxes(findings: list[Finding]) -> dict[str, int]:
    """``buy_tax_bps`` / ``sell_tax_bps`` the wallet measured (from VICTIM_TRADE), for a
    report whose Prober legs measured none; absent keys were not measured."""
    trade = next((f for f in findings if f.code == "VICTIM_TRADE"), None)
    if trade is None:
        return {}
    return {k: int(trade.evidence[k]) for k in ("buy_tax_bps", "sell_tax_bps")
            if trade.evidence.get(k, "None").isdigit()}
