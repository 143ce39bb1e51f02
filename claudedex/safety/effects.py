"""Check 4b: every effect of a privileged call, measured while a buyer holds the token.

Why measure balances, supply and events around the call, and why between buy and sell: a
call that credits a wallet without changing totalSupply or emitting a Transfer is a mint
nobody sees (it only shows as a balance that rises); a call that sweeps a holder or
blacklists it does nothing before anyone has bought, so replaying it before the round trip
(what owner_probe does) misses it. Each call runs in one simulation: the buyer (the Prober)
buys, the controller calls, the buyer sells; balanceOf of the caller, the other controllers,
the pair and the buyer plus totalSupply are read right before and after the call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from claudedex.domain import Finding, Severity
from claudedex.rpc.reader import ChainReader
from claudedex.safety.batch import simulate_many
from claudedex.safety.prober import PROBER, REVERT_IMPL, Leg, Market
from claudedex.safety.roundtrip import RoundTrip
from claudedex.safety.signatures import describe
from claudedex.safety.simkit import (
    UPGRADE_STUB,
    Result,
    balance_call,
    block_spec,
    call,
    decode_blocks,
    prober_overrides,
    supply_call,
    transfers,
)

NORMAL_GAS = 1_500_000
TAX_RAISE_BPS = 500
EXTREME_TAX_BPS = 5000
MOVE_SHARE = 100  # a balance move counts when >= 1/100 of the pool (or of the buyer's bag)


class CallLike(Protocol):
    """A privileged call as owner_probe finds it."""

    @property
    def selector(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def caller(self) -> str: ...
    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class _Measured:
    call_ok: bool
    before: dict[str, int]
    after: dict[str, int]
    supply_before: int
    supply_after: int
    events: list[tuple[str, str, int]]
    sell: Leg


def _overrides() -> dict[str, Any]:
    return prober_overrides({REVERT_IMPL: {"code": UPGRADE_STUB}})


def _scenario(market: Market, amount_in: int, head: dict[str, Any], watch: list[str],
              power: CallLike | None) -> list[dict[str, Any]]:
    """Buy; reads, the call, reads; sell (as eth_simulateV1 blocks)."""
    token = market.token
    reads = [balance_call(token, a) for a in watch] + [supply_call(token)]
    middle = list(reads)
    if power is not None:
        middle.append(call(token, "0x" + power.data.hex(), power.caller))
    middle += reads
    blocks = [[call(PROBER, market.buy(amount_in, NORMAL_GAS))], middle,
              [call(PROBER, market.sell(10_000, NORMAL_GAS))]]
    return block_spec(head, blocks, overrides=_overrides())


def _measured(out: list[list[Result]], watch: list[str], power: CallLike | None,
              token: str) -> _Measured:
    mid = out[1]
    n = len(watch) + 1
    first, last = mid[:n], mid[-n:]
    act: Result | None = mid[n] if power is not None else None
    sell = out[2][0]
    return _Measured(
        call_ok=act.ok if act is not None else True,
        before={a: r.word for a, r in zip(watch, first[:-1], strict=True) if r.ok},
        after={a: r.word for a, r in zip(watch, last[:-1], strict=True) if r.ok},
        supply_before=first[-1].word, supply_after=last[-1].word if last[-1].ok else -1,
        events=transfers(act, token) if act is not None else [],
        sell=Leg.decode(sell.ok, sell.data))


def _judge(m: _Measured, base: _Measured, pair: str) -> list[tuple[str, str, Severity]]:
    """(code, what happened) for every harmful effect of one call. Balances unreadable after
    the call (an upgrade to code that refuses everything) are not judged."""
    out: list[tuple[str, str, Severity]] = []
    crit = Severity.CRITICAL
    pool = m.before.get(pair, 0)
    least = max(pool // MOVE_SHARE, 1)
    grown = m.supply_after - m.supply_before
    for who, before in m.before.items():
        if who not in m.after:
            continue
        delta = m.after[who] - before
        evented = (sum(v for _, to, v in m.events if to == who)
                   - sum(v for frm, _, v in m.events if frm == who))
        hidden = delta - evented
        if hidden >= least:
            supply_note = ("totalSupply unchanged" if grown == 0
                           else f"totalSupply moved by {grown}")
            out.append(("HIDDEN_BALANCE_CREDIT",
                        f"{who} is credited {hidden} tokens with no Transfer event "
                        f"({supply_note})", crit))
    victim_before = m.before.get(PROBER, 0)
    taken = victim_before - m.after.get(PROBER, victim_before)
    if victim_before and taken >= max(victim_before // MOVE_SHARE, 1):
        out.append(("OWNER_CAN_WIPE_HOLDER",
                    f"between a buyer's buy and sell it takes {taken} of the buyer's "
                    f"{victim_before} tokens", crit))
    drained = pool - m.after.get(pair, pool)
    if drained >= least:
        out.append(("OWNER_CAN_WIPE_HOLDER",
                    f"it takes {drained} of the pool's {pool} tokens out of the pair", crit))
    if base.sell.ok and not m.sell.ok and not taken:
        out.append(("OWNER_CAN_BLOCK_SELLS",
                    "called between a buyer's buy and sell, the sell then fails", crit))
    b, a = base.sell.shortfall_bps(), m.sell.shortfall_bps()
    if b is not None and a is not None and a - b >= TAX_RAISE_BPS:
        out.append(("OWNER_CAN_RAISE_SELL_TAX",
                    f"called between a buyer's buy and sell, the sell tax rises from "
                    f"{max(b, 0) / 100:.2f}% to {a / 100:.2f}%",
                    crit if a >= EXTREME_TAX_BPS else Severity.HIGH))
    return out


async def call_effects(
    reader: ChainReader,
    market: Market,
    amount_in: int,
    head: dict[str, Any],
    calls: Sequence[CallLike],
    controllers: Sequence[str],
) -> tuple[Finding, ...]:
    """Findings for privileged calls whose measured effects hurt holders (one per code and
    function). One simulation per call plus a baseline, all in one batch."""
    if not calls:
        return ()
    pair = market.pair
    watch = list(dict.fromkeys([PROBER, pair, *(c.lower() for c in controllers),
                                *(c.caller for c in calls)]))
    powers: list[CallLike | None] = [None, *calls]
    specs = [_scenario(market, amount_in, head, watch, p) for p in powers]
    raw = await simulate_many(reader, specs)
    base, *measured = [_measured(decode_blocks(r), watch, p, market.token)
                       for r, p in zip(raw, powers, strict=True)]
    if not base.before.get(PROBER, 0):
        return ()  # the buyer could not buy at all: the round trip already says so
    seen: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    for power, m in zip(calls, measured, strict=True):
        if not m.call_ok:
            continue
        for code, what, severity in _judge(m, base, pair):
            key = (code, power.selector)
            if key in seen:
                continue
            seen.add(key)
            name = describe(power.selector)
            findings.append(Finding(
                code, severity, f"{name} called by the {power.role} {power.caller}: "
                f"{what}", {"function": name, "caller": power.caller, "role": power.role,
                            "calldata": "0x" + power.data.hex()}))
    return tuple(findings)


async def prefixed_trips(
    reader: ChainReader,
    market: Market,
    amount_in: int,
    head: dict[str, Any],
    calls: Sequence[CallLike],
) -> list[RoundTrip]:
    """The short round trip (buy, sell everything) with nothing before it, then once after
    each call (the call in its own block first), all in one batch; baseline first."""
    buy = [call(PROBER, market.buy(amount_in, NORMAL_GAS))]
    sell = [call(PROBER, market.sell(10_000, NORMAL_GAS))]
    specs = [block_spec(head, [buy, sell], overrides=_overrides())]
    specs += [block_spec(head, [[call(market.token, "0x" + c.data.hex(), c.caller)], buy, sell],
                         overrides=_overrides()) for c in calls]
    out: list[RoundTrip] = []
    for i, raw in enumerate(await simulate_many(reader, specs)):
        blocks = decode_blocks(raw)
        prefix = blocks[0][0] if i else None
        b, s = blocks[-2][0], blocks[-1][0]
        legs = {"buy": Leg.decode(b.ok, b.data), "sell_all": Leg.decode(s.ok, s.data)}
        out.append(RoundTrip(legs, "eth_simulateV1",
                             (prefix.ok,) if prefix is not None else (),
                             len(prefix.logs) if prefix is not None else 0))
    return out
