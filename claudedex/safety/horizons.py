"""Held into the future: sell a launch-time position at several later horizons.

Why holders and fresh buyers at every horizon: a sell that works right after a buy proves
nothing about a sell next week. A token can stop sells 900 blocks after launch, or raise its
sell tax to 90 % after six hours, and a probe that only ever trades at "now" calls it safe.
So at launch (in the block after the Prober's buy, once its own legs are done, so they see
the pool exactly as before) a holder buys like the Prober did (its own Prober copy and its
own ``tx.origin``, so "one buy per block per origin" anti-bot rules hide nothing). At each
horizon the holder sells an equal share of what it bought (1/8 of the position at the first
of eight horizons, everything that is left at the last), and a fresh buyer, sized like the
launch buy, buys and sells at once (the buy and sell taxes of that moment).

Each horizon is a simulated block whose number *and* timestamp are both moved forward
(``blockOverrides``), so a time bomb keyed on either fires. All horizons ride in the same
eth_simulateV1 request as the rest of the round trip: no extra node round trip.

How a horizon is read (see :func:`horizon_findings`):
- a sell that worked at launch but reverts at a horizon: ``SELLS_FAIL_LATER`` (critical,
  a time bomb);
- a tax that is ``TAX_RISE_BPS`` or more above the launch tax at a horizon:
  ``TAX_RISES_LATER`` (critical from ``HIGH_TAX_BPS``, high below);
- a sell that fails at launch and first works at a horizon: a cooldown whose
  ``duration_s`` is that horizon's offset (an upper bound of the real one);
- a launch tax at or above ``HIGH_TAX_BPS`` that falls below it at a horizon and stays
  there: ``LAUNCH_TAX_DECAYS`` with its ``duration_s``.
The decision table (``safety.decision``) turns a duration of ten minutes or less into a
risky finding and anything longer into a scam.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.crypto import keccak

from claudedex.domain import Finding, Severity
from claudedex.safety.prober import Leg, Market

BLOCK_SECONDS = 12  # the chain's slot time: a horizon in blocks is also one in seconds
# geth, reth and most hosted nodes refuse a simulation spanning more than 256 blocks; there
# the horizons keep their timestamps but their block numbers stop this far after launch
BLOCK_SPAN_CAP = 240
TAX_RISE_BPS = 500  # a later tax this much above the launch tax is a rise, not noise
HIGH_TAX_BPS = 1500


@dataclass(frozen=True, slots=True)
class Horizon:
    """How far after the launch block a horizon is: ``seconds`` and ``blocks``."""

    label: str
    seconds: int
    blocks: int


HORIZONS: tuple[Horizon, ...] = (
    Horizon("+1 min", 60, 5),
    Horizon("+10 min", 600, 50),
    Horizon("+1 h", 3600, 300),
    Horizon("+1,000 blocks", 1000 * BLOCK_SECONDS, 1000),
    Horizon("+6 h", 6 * 3600, 1800),
    Horizon("+24 h", 24 * 3600, 7200),
    Horizon("+10,000 blocks", 10_000 * BLOCK_SECONDS, 10_000),
    Horizon("+7 d", 7 * 86400 + 60, 7 * 7200 + 5),  # just past a one-week cooldown
)


def _address(label: str) -> str:
    return "0x" + keccak(text=f"claudedex.safety.{label}")[12:].hex()


HOLDER = _address("holder")
HOLDER_ORIGIN = _address("holder-origin")
FRESH_BUYERS: tuple[str, ...] = tuple(_address(f"fresh-buyer.{i}") for i in range(len(HORIZONS)))
ORIGINS: tuple[str, ...] = tuple(_address(f"origin.{i}") for i in range(len(HORIZONS)))


def horizon_leg_names() -> tuple[str, ...]:
    """Leg names of the horizon blocks, in call order (after the launch holder buys)."""
    names: list[str] = []
    for i in range(len(HORIZONS)):
        names += [f"hold_sell_{i}", f"fresh_buy_{i}", f"fresh_sell_{i}"]
    return tuple(names)


def holder_buy_names() -> tuple[str, ...]:
    return ("hold_buy",)


def holder_overrides(code: str, funds: int) -> dict[str, Any]:
    """State overrides placing a Prober copy (with ``funds`` wei) at every holder/buyer."""
    return {a: {"code": code, "balance": hex(funds)} for a in (HOLDER, *FRESH_BUYERS)}


def launch_calls(market: Market, amount_in: int, gas: int, call_gas: int) -> list[dict[str, Any]]:
    """The holder's buy, appended to the block after the launch buy."""
    return [_call(HOLDER_ORIGIN, HOLDER, market.buy(amount_in, gas), call_gas)]


def horizon_block_offsets(block_cap: int | None = None) -> list[int]:
    """Blocks after launch of each horizon; with ``block_cap``, none beyond it (still
    strictly increasing, so every horizon keeps its own block)."""
    if block_cap is None:
        return [h.blocks for h in HORIZONS]
    n = len(HORIZONS)
    return [min(h.blocks, block_cap - (n - i)) for i, h in enumerate(HORIZONS)]


def horizon_blocks(
    market: Market, amount_in: int, t_launch: int, n_launch: int, gas: int, call_gas: int,
    block_gas: str, block_cap: int | None = None,
) -> list[dict[str, Any]]:
    """One block per horizon: the holder sells its share, a fresh buyer buys and sells all."""
    blocks = []
    offsets = horizon_block_offsets(block_cap)
    for i, h in enumerate(HORIZONS):
        share_bps = 10_000 // (len(HORIZONS) - i)  # of what is left: equal parts, all at last
        blocks.append({
            "blockOverrides": {"time": hex(t_launch + h.seconds),
                               "number": hex(n_launch + offsets[i]), "gasLimit": block_gas},
            "calls": [
                _call(HOLDER_ORIGIN, HOLDER, market.sell(share_bps, gas), call_gas),
                _call(ORIGINS[i], FRESH_BUYERS[i], market.buy(amount_in, gas), call_gas),
                _call(ORIGINS[i], FRESH_BUYERS[i], market.sell(10_000, gas), call_gas),
            ],
        })
    return blocks


def _call(sender: str, to: str, data: str, gas: int) -> dict[str, Any]:
    return {"from": sender, "to": to, "data": data, "gas": hex(gas)}


@dataclass(frozen=True, slots=True)
class HorizonResult:
    """What happened at one horizon: the held sell, the fresh buy and the fresh sell."""

    horizon: Horizon
    held: Leg
    fresh_buy: Leg
    fresh_sell: Leg


def horizon_results(legs: dict[str, Leg]) -> tuple[HorizonResult, ...]:
    """The horizon legs of a round trip (empty when it ran without them: fallback, short)."""
    if "hold_sell_0" not in legs:
        return ()
    missing = Leg(ran=False, ok=False)
    return tuple(HorizonResult(h, legs.get(f"hold_sell_{i}", missing),
                               legs.get(f"fresh_buy_{i}", missing),
                               legs.get(f"fresh_sell_{i}", missing))
                 for i, h in enumerate(HORIZONS))


def buy_tax_bps(leg: Leg) -> int | None:
    """A buy leg's tax: what the quote promised versus what arrived (None: no buy)."""
    if not leg.ok or leg.expected <= 0:
        return None
    return max((leg.expected - leg.received) * 10_000 // leg.expected, 0)


def sell_tax_bps(leg: Leg) -> int | None:
    s = leg.shortfall_bps()
    return None if s is None else max(s, 0)


def first_working(results: tuple[HorizonResult, ...]) -> HorizonResult | None:
    """The first horizon at which the launch position could be sold (None: never)."""
    return next((r for r in results if r.held.attempted and r.held.ok), None)


def decayed_at(results: tuple[HorizonResult, ...], launch_tax: int) -> HorizonResult | None:
    """The horizon from which a launch tax >= HIGH_TAX_BPS stays below it (None: it does not)."""
    if launch_tax < HIGH_TAX_BPS:
        return None
    taxes = [(r, sell_tax_bps(r.held)) for r in results if r.held.attempted]
    for j, (r, tax) in enumerate(taxes):
        if tax is not None and tax < HIGH_TAX_BPS and all(
                t is not None and t < HIGH_TAX_BPS for _, t in taxes[j:]):
            return r
    return None


def _ev(r: HorizonResult, **extra: object) -> dict[str, str]:
    out = {"horizon": r.horizon.label, "seconds": str(r.horizon.seconds),
           "blocks": str(r.horizon.blocks)}
    out.update({k: str(v) for k, v in extra.items()})
    return out


def horizon_findings(
    results: tuple[HorizonResult, ...], sold_at_launch: bool, launch_sell_tax: int | None,
    launch_buy_tax: int | None,
) -> list[Finding]:
    """Time bombs: sells that stop working and taxes that rise after launch.

    ``sold_at_launch``: the launch position's full sell worked right after the buy;
    ``launch_*_tax``: the taxes measured then (bps; None when not measured).
    """
    out: list[Finding] = []
    for r in results:
        fails = (r.held.attempted and not r.held.ok) or (
            r.fresh_buy.ok and r.fresh_sell.attempted and not r.fresh_sell.ok)
        if sold_at_launch and fails:
            who = "the launch buyer" if not r.held.ok else "a fresh buyer"
            out.append(Finding(
                "SELLS_FAIL_LATER", Severity.CRITICAL,
                f"time bomb: selling works at launch but reverts for {who} {r.horizon.label} "
                "later", _ev(r, held_ok=r.held.ok, fresh_sell_ok=r.fresh_sell.ok)))
            break
    for kind, launch in (("sell", launch_sell_tax), ("buy", launch_buy_tax)):
        if launch is None:
            continue
        for r in results:
            later = sell_tax_bps(r.held) if kind == "sell" else buy_tax_bps(r.fresh_buy)
            if later is not None and later - launch >= TAX_RISE_BPS:
                sev = Severity.CRITICAL if later >= HIGH_TAX_BPS else Severity.HIGH
                out.append(Finding(
                    f"{kind.upper()}_TAX_RISES_LATER", sev,
                    f"time bomb: the {kind} tax rises from {launch / 100:.2f}% at launch to "
                    f"{later / 100:.2f}% {r.horizon.label} later",
                    _ev(r, launch_tax_bps=launch, later_tax_bps=later)))
                break
    return out


def horizon_summary(results: tuple[HorizonResult, ...]) -> dict[str, str]:
    """Evidence for the ROUND_TRIP finding: per horizon, held sell ok and its tax."""
    return {f"horizon {r.horizon.label}":
            f"held_sell={'ok' if r.held.ok else ('reverted' if r.held.attempted else 'none')}"
            f" tax_bps={sell_tax_bps(r.held)} fresh_buy_tax_bps={buy_tax_bps(r.fresh_buy)}"
            for r in results}
