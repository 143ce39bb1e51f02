"""Checks 1 and 2: a realistic buy, transfers and sells on a simulated copy of the chain.

Why one eth_simulateV1 request with several blocks: the buy, a transfer to a fresh wallet,
the fresh wallet's sell, a sell of the whole balance, a partial sell, a sell with an unlimited
gas budget and a sell a week later all run against the same state in about one node round
trip. Nodes without eth_simulateV1 get the same steps (minus the time jump) from one eth_call
into the Prober's ``roundTrip`` with a state override. Nothing is ever sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.crypto import keccak

from claudedex.rpc.reader import ChainReader
from claudedex.safety.prober import (
    FRESH_WALLET,
    PROBER,
    PROBER_FUNDS,
    RANDOM_CALLER,
    REVERT_CODE,
    REVERT_IMPL,
    Leg,
    Market,
    prober_code,
)

NORMAL_GAS = 1_500_000  # a generous wallet gas limit for one swap
UNLIMITED_GAS = 25_000_000
CALL_GAS = 29_000_000
LATER_SECONDS = 8 * 24 * 3600  # past a one-week "anti-bot" cooldown
LATER_BLOCKS = 50_000
LEG_NAMES = ("buy", "send", "fresh_sell", "sell_all", "sell_part", "sell_dust",
             "sell_unlimited", "sell_later")
SHORT_LEGS = ("buy", "sell_all")
FALLBACK_LEGS = ("buy", "send", "fresh_sell", "sell_all", "sell_part", "sell_unlimited")


@dataclass(frozen=True, slots=True)
class PrefixCall:
    """A call made before the round trip (owner probing): who calls what."""

    sender: str
    to: str
    data: bytes
    value: int = 0


@dataclass(frozen=True)
class RoundTrip:
    """Every leg the Prober reported, by name, and how the simulation was run."""

    legs: dict[str, Leg]
    method: str
    prefix_ok: tuple[bool, ...] = ()
    prefix_logs: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def leg(self, name: str) -> Leg:
        return self.legs.get(name, Leg(ran=False, ok=False))


def _overrides() -> dict[str, Any]:
    code = prober_code()
    return {
        PROBER: {"code": code, "balance": hex(PROBER_FUNDS)},
        FRESH_WALLET: {"code": code},
        REVERT_IMPL: {"code": REVERT_CODE},
    }


def _call(to: str, data: str, sender: str = RANDOM_CALLER, value: int = 0) -> dict[str, Any]:
    call = {"from": sender, "to": to, "data": data, "gas": hex(CALL_GAS)}
    if value:
        call["value"] = hex(value)
    return call


async def simulate_round_trip(
    reader: ChainReader,
    market: Market,
    amount_in: int,
    *,
    prefix: tuple[PrefixCall, ...] = (),
    base: dict[str, Any] | None = None,
    short: bool = False,
) -> RoundTrip:
    """Run the scenario with eth_simulateV1; ``prefix`` calls run first, in their own block.

    ``short`` keeps only the buy and the sell of everything (what owner probing compares).
    """
    head = base if base is not None else await reader.block("latest")
    t0, n0 = int(head["timestamp"], 16), int(head["number"], 16)
    big = hex(1_000_000_000)
    blocks: list[dict[str, Any]] = []
    if prefix:
        blocks.append({
            "blockOverrides": {"time": hex(t0 + 1), "number": hex(n0 + 1), "gasLimit": big},
            "stateOverrides": _overrides(),
            "calls": [_call(p.to, "0x" + p.data.hex(), p.sender, p.value) for p in prefix],
        })
    k = len(blocks)
    first: dict[str, Any] = {
        "blockOverrides": {"time": hex(t0 + 2 + k), "number": hex(n0 + 1 + k), "gasLimit": big},
        "calls": [_call(PROBER, market.buy(amount_in, NORMAL_GAS))],
    }
    if not prefix:
        first["stateOverrides"] = _overrides()
    blocks.append(first)
    if short:
        blocks.append({
            "blockOverrides": {"time": hex(t0 + 4 + k), "number": hex(n0 + 2 + k),
                               "gasLimit": big},
            "calls": [_call(PROBER, market.sell(10_000, NORMAL_GAS))],
        })
    else:
        blocks += _sell_blocks(market, t0 + 4 + k, n0 + 2 + k, t0 + LATER_SECONDS,
                               n0 + LATER_BLOCKS)
    result = await reader.simulate(blocks)
    prefix_ok: tuple[bool, ...] = ()
    prefix_logs = 0
    if prefix:
        pre = result[0]["calls"]
        prefix_ok = tuple(int(c["status"], 16) == 1 for c in pre)
        prefix_logs = sum(len(c.get("logs", [])) for c in pre)
        result = result[1:]
    calls = [c for b in result for c in b["calls"]]
    names = SHORT_LEGS if short else LEG_NAMES
    legs = {
        name: Leg.decode(int(c["status"], 16) == 1, bytes.fromhex(c["returnData"][2:]))
        for name, c in zip(names, calls, strict=True)
    }
    return RoundTrip(legs, "eth_simulateV1", prefix_ok, prefix_logs)


def _sell_blocks(market: Market, t: int, n: int, t_late: int, n_late: int) -> list[dict[str, Any]]:
    big = hex(1_000_000_000)
    return [
        {
            "blockOverrides": {"time": hex(t), "number": hex(n), "gasLimit": big},
            "calls": [
                _call(PROBER, market.send(FRESH_WALLET, 1000, NORMAL_GAS)),
                _call(FRESH_WALLET, market.sell(10_000, NORMAL_GAS)),
                _call(PROBER, market.sell(10_000, NORMAL_GAS)),
                _call(PROBER, market.sell(1000, NORMAL_GAS)),
                _call(PROBER, market.sell(1, NORMAL_GAS)),
                _call(PROBER, market.sell(10_000, UNLIMITED_GAS)),
            ],
        },
        {
            "blockOverrides": {"time": hex(t_late), "number": hex(n_late), "gasLimit": big},
            "calls": [_call(PROBER, market.sell(10_000, NORMAL_GAS))],
        },
    ]


_ROUND_TRIP_SIG = keccak(text="roundTrip(address,address,address,address,address,uint256,uint256)")


async def call_round_trip(reader: ChainReader, market: Market, amount_in: int) -> RoundTrip:
    """Fallback for nodes without eth_simulateV1: one eth_call into Prober.roundTrip."""
    data = _ROUND_TRIP_SIG[:4] + encode(
        ["address"] * 5 + ["uint256", "uint256"],
        [market.router, market.quote, market.token, market.pair, FRESH_WALLET, amount_in,
         NORMAL_GAS],
    )
    out = await reader.call(PROBER, data, sender=RANDOM_CALLER, overrides=_overrides(),
                            gas=CALL_GAS)
    if out is None:
        return RoundTrip({}, "eth_call")
    (rows,) = decode(["uint256[12][6]"], out)
    legs: dict[str, Leg] = {}
    for name, row in zip(FALLBACK_LEGS, rows, strict=True):
        blob = b"".join(int(v).to_bytes(32, "big") for v in row)
        legs[name] = Leg.decode(True, blob)
    return RoundTrip(legs, "eth_call")


async def round_trip(
    reader: ChainReader,
    market: Market,
    amount_in: int,
    *,
    prefix: tuple[PrefixCall, ...] = (),
    base: dict[str, Any] | None = None,
    short: bool = False,
) -> RoundTrip:
    """eth_simulateV1 where the node has it, the eth_call fallback elsewhere."""
    if await reader.supports_simulate():
        return await simulate_round_trip(reader, market, amount_in, prefix=prefix, base=base,
                                         short=short)
    return await call_round_trip(reader, market, amount_in)
