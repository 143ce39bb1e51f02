"""The Prober helper contract: calldata for its steps and decoding of what it reports.

Why a helper contract placed by state override: a buy-then-sell must sell exactly the amount
the buy produced, which is only known inside the EVM. The Prober (contracts/Prober.sol,
compiled to contracts/Prober.json) does each step with low-level calls and returns twelve
numbers, so a reverting or gas-burning token becomes data instead of aborting the probe.
It is never deployed: eth_simulateV1 / eth_call put its code at a fresh address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eth_utils.crypto import keccak

CONTRACT_JSON = Path(__file__).resolve().parent / "contracts" / "Prober.json"

# Fresh addresses no real account controls (keccak-derived, fixed so results are stable).
PROBER = "0x" + keccak(b"claudedex.safety.prober")[12:].hex()
FRESH_WALLET = "0x" + keccak(b"claudedex.safety.fresh-wallet")[12:].hex()
RANDOM_CALLER = "0x" + keccak(b"claudedex.safety.random-caller")[12:].hex()
REVERT_IMPL = "0x" + keccak(b"claudedex.safety.revert-impl")[12:].hex()
REVERT_CODE = "0x60006000fd"  # PUSH1 0 PUSH1 0 REVERT: an implementation that refuses all
PROBER_FUNDS = 10**30  # wei given to the Prober by state override

_SIGS = {
    "buy": "buy(address,address,address,address,uint256,uint256)",
    "sell": "sell(address,address,address,address,uint256,uint256)",
    "send": "send(address,address,uint256,uint256)",
}
_TYPES = {
    "buy": ["address", "address", "address", "address", "uint256", "uint256"],
    "sell": ["address", "address", "address", "address", "uint256", "uint256"],
    "send": ["address", "address", "uint256", "uint256"],
}


@cache
def prober_code() -> str:
    """Runtime bytecode (0x-hex) of the compiled Prober."""
    data = json.loads(CONTRACT_JSON.read_text(encoding="utf-8"))
    return str(data["deployedBytecode"])


def _calldata(fn: str, *args: object) -> str:
    from eth_abi.abi import encode  # 17 ms to import: a replay never probes

    return "0x" + (keccak(text=_SIGS[fn])[:4] + encode(_TYPES[fn], list(args))).hex()


@dataclass(frozen=True, slots=True)
class Market:
    """Where a probe trades: router, quote (WETH), token and its pair."""

    router: str
    quote: str
    token: str
    pair: str

    def buy(self, amount_in: int, gas_limit: int) -> str:
        return _calldata("buy", self.router, self.quote, self.token, self.pair, amount_in,
                         gas_limit)

    def sell(self, bps: int, gas_limit: int) -> str:
        return _calldata("sell", self.router, self.quote, self.token, self.pair, bps, gas_limit)

    def send(self, to: str, bps: int, gas_limit: int) -> str:
        return _calldata("send", self.token, to, bps, gas_limit)


@dataclass(frozen=True, slots=True)
class Leg:
    """What one Prober step reported (see the layout in Prober.sol)."""

    ran: bool  # the Prober call itself completed
    ok: bool  # the swap/transfer inside it succeeded
    expected: int = 0
    received: int = 0
    gas: int = 0
    balance_after: int = 0
    sender_delta: int = 0
    receiver_delta: int = 0
    amount: int = 0
    supply: int = 0
    pair_before: int = 0
    pair_after: int = 0

    @classmethod
    def decode(cls, status: bool, data: bytes) -> Leg:
        if not status or len(data) < 32 * 12:
            return cls(ran=False, ok=False)
        v = [int.from_bytes(data[i * 32:(i + 1) * 32], "big") for i in range(12)]
        return cls(True, v[0] == 1, v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10])

    @property
    def attempted(self) -> bool:
        """False when there was nothing to move (amount 0): the step says nothing."""
        return self.ran and self.amount > 0

    def shortfall_bps(self) -> int | None:
        """How far ``received`` falls short of ``expected``, in bps (negative: more)."""
        if not self.ok or self.expected <= 0:
            return None
        return (self.expected - self.received) * 10_000 // self.expected
