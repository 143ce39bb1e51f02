"""Checks 1 and 2: a realistic buy, transfers and sells on a simulated copy of the chain.

Why one eth_simulateV1 request with several blocks: the buy, a transfer to a fresh wallet,
the fresh wallet's sell, a sell of the whole balance, a partial sell, a sell with an unlimited
gas budget, and the launch positions held to every horizon of ``safety.horizons`` (+1 min to
+7 days, +1,000 and +10,000 blocks) all run against the same state in about one node round
trip. Nodes without eth_simulateV1 get the same steps (minus the time jumps) from one eth_call
into the Prober's ``roundTrip`` with a state override. Nothing is ever sent.

These are the contract-based legs (the seller is the Prober, ``tx.origin`` another address,
gas price 0). ``safety.victim`` runs the same trade as a wallet would send it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak

from claudedex.errors import RpcError
from claudedex.rpc.reader import ChainReader
from claudedex.safety.horizons import (
    BLOCK_SPAN_CAP,
    holder_buy_names,
    holder_overrides,
    horizon_blocks,
    horizon_leg_names,
    launch_calls,
)
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
LEG_NAMES = ("buy", "send", "fresh_sell", "sell_all", "sell_part", "sell_dust",
             "sell_unlimited", *holder_buy_names(), *horizon_leg_names())
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
        **holder_overrides(code, PROBER_FUNDS),
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
    block_cap: int | None = None,
) -> RoundTrip:
    """Run the scenario with eth_simulateV1; ``prefix`` calls run first, in their own block.

    ``short`` keeps only the buy and the sell of everything (what owner probing compares);
    ``block_cap``: no horizon more than this many blocks after launch (nodes that limit
    a simulation's span). Raises RpcError when the node refuses the request.
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
        sells = _sell_block(market, t0 + 4 + k, n0 + 2 + k)
        # the holders buy after the Prober's own legs, so those see the pool as before
        sells["calls"] += launch_calls(market, amount_in, NORMAL_GAS, CALL_GAS)
        blocks.append(sells)
        blocks += horizon_blocks(market, amount_in, t0 + 2 + k, n0 + 1 + k, NORMAL_GAS,
                                 CALL_GAS, big, block_cap)
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
    extra = {"horizon_block_cap": block_cap} if block_cap is not None else {}
    return RoundTrip(legs, "eth_simulateV1", prefix_ok, prefix_logs, extra)


def _sell_block(market: Market, t: int, n: int) -> dict[str, Any]:
    """The block right after the buy: transfer, fresh wallet's sell, sells of every size."""
    return {
        "blockOverrides": {"time": hex(t), "number": hex(n), "gasLimit": hex(1_000_000_000)},
        "calls": [
            _call(PROBER, market.send(FRESH_WALLET, 1000, NORMAL_GAS)),
            _call(FRESH_WALLET, market.sell(10_000, NORMAL_GAS)),
            _call(PROBER, market.sell(10_000, NORMAL_GAS)),
            _call(PROBER, market.sell(1000, NORMAL_GAS)),
            _call(PROBER, market.sell(1, NORMAL_GAS)),
            _call(PROBER, market.sell(10_000, UNLIMITED_GAS)),
        ],
    }


_ROUND_TRIP_SIG = keccak(text="roundTrip(address,address,address,address,address,uint256,uint256)")


async def call_round_trip(reader: ChainReader, market: Market, amount_in: int) -> RoundTrip:
    """Fallback for nodes without eth_simulateV1: one eth_call into Prober.roundTrip."""
    from eth_abi.abi import decode, encode  # 17 ms to import: a replay never probes

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
    """eth_simulateV1 where the node has it, the eth_call fallback elsewhere.

    A node that refuses the full request (most limit a simulation to 256 blocks) gets it
    once more with the horizons' block numbers capped at BLOCK_SPAN_CAP.
    """
    if await reader.supports_simulate():
        try:
            return await simulate_round_trip(reader, market, amount_in, prefix=prefix,
                                             base=base, short=short)
        except RpcError:
            if short:
                raise
        return await simulate_round_trip(reader, market, amount_in, prefix=prefix, base=base,
                                         block_cap=BLOCK_SPAN_CAP)
    return await call_round_trip(reader, market, amount_in)
