"""Building blocks for the safety v2 scenarios: calls, stub contracts, one eth_simulateV1.

Why a kit of its own: the privileged-call, unbacked-transfer, dependency and LP-locker checks
each run a few short scenarios (buy, someone's call, reads, sell) with their own state
overrides. They share the call shapes, the Prober overrides and the stub contracts placed by
override, and read results the same way: a call's status, its return word and its logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.crypto import keccak

from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import addr_word, word
from claudedex.safety.bytecode import IMPL_SLOT
from claudedex.safety.prober import FRESH_WALLET, PROBER, PROBER_FUNDS, RANDOM_CALLER, prober_code

CALL_GAS = 29_000_000
BLOCK_GAS = hex(1_000_000_000)
DEADLINE = 2**64
BALANCE_OF = bytes.fromhex("70a08231")
TOTAL_SUPPLY = bytes.fromhex("18160ddd")
TRANSFER = bytes.fromhex("a9059cbb")
APPROVE = bytes.fromhex("095ea7b3")
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
SELL_SIG = keccak(text="swapExactTokensForETHSupportingFeeOnTransferTokens("
                       "uint256,uint256,address[],address,uint256)")[:4]
SINK = "0x" + keccak(b"claudedex.safety.sink")[12:].hex()  # a codeless receiver

# Stub contracts placed by state override (runtime code, hex).
STUB_REVERT = "0x60006000fd"  # revert everything
STUB_ZERO = "0x60606000f3"  # return three zero words to any call
_FF = "7f" + "ff" * 32
STUB_HUGE = "0x" + _FF + "600052" + _FF + "602052" + _FF + "604052" + "60606000f3"
# An upgrade target both proxy kinds accept: code exists (transparent / ERC-1967 checks) and
# proxiableUUID() (0x52d1902d) answers the ERC-1967 slot (UUPS); every other call reverts,
# so after the upgrade the token refuses everything.
UPGRADE_STUB = ("0x600035" "60e01c" "6352d1902d" "14" "6014" "57" "6000" "6000" "fd" "5b"
                "7f" + IMPL_SLOT.to_bytes(32, "big").hex() + "600052" "6020" "6000" "f3")


def calldata(selector: bytes, *words: bytes) -> str:
    return "0x" + (selector + b"".join(words)).hex()


def call(to: str, data: str, sender: str = RANDOM_CALLER, value: int = 0) -> dict[str, Any]:
    """One simulated call with a generous gas limit."""
    out = {"from": sender, "to": to, "data": data, "gas": hex(CALL_GAS)}
    if value:
        out["value"] = hex(value)
    return out


def balance_call(token: str, who: str) -> dict[str, Any]:
    return call(token, calldata(BALANCE_OF, addr_word(who)))


def supply_call(token: str) -> dict[str, Any]:
    return call(token, calldata(TOTAL_SUPPLY))


def transfer_call(token: str, sender: str, to: str, amount: int) -> dict[str, Any]:
    return call(token, calldata(TRANSFER, addr_word(to), word(amount)), sender)


def sell_calls(token: str, quote: str, router: str, seller: str, amount: int
               ) -> list[dict[str, Any]]:
    """approve(router, max) then the router sell a wallet uses (fee-on-transfer variant)."""
    body = word(amount) + word(0) + word(0xA0) + addr_word(seller) + word(DEADLINE)
    body += word(2) + addr_word(token) + addr_word(quote)
    return [call(token, calldata(APPROVE, addr_word(router), word(2**256 - 1)), seller),
            call(router, "0x" + (SELL_SIG + body).hex(), seller)]


def prober_overrides(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Prober (funded) and the fresh wallet, plus any stubs in ``extra``."""
    code = prober_code()
    out: dict[str, Any] = {PROBER: {"code": code, "balance": hex(PROBER_FUNDS)},
                           FRESH_WALLET: {"code": code}}
    out.update(extra or {})
    return out


@dataclass(frozen=True)
class Result:
    """One simulated call: whether it succeeded, what it returned, its logs."""

    ok: bool
    data: bytes
    logs: tuple[dict[str, Any], ...]

    @property
    def word(self) -> int:
        return int.from_bytes(self.data[:32], "big") if len(self.data) >= 32 else 0


def transfers(res: Result, token: str) -> list[tuple[str, str, int]]:
    """The token's Transfer events in a call's logs, as (from, to, value)."""
    out: list[tuple[str, str, int]] = []
    for log in res.logs:
        topics = log.get("topics") or []
        if (str(log.get("address", "")).lower() != token or len(topics) != 3
                or str(topics[0]).lower() != TRANSFER_TOPIC):
            continue
        data = bytes.fromhex(str(log.get("data", "0x"))[2:])
        value = int.from_bytes(data[:32], "big") if data else 0
        out.append(("0x" + str(topics[1])[-40:], "0x" + str(topics[2])[-40:], value))
    return out


def block_spec(
    head: dict[str, Any],
    blocks: list[list[dict[str, Any]]],
    *,
    overrides: dict[str, Any] | None = None,
    times: list[int] | None = None,
) -> list[dict[str, Any]]:
    """eth_simulateV1 ``blockStateCalls`` for ``blocks`` (lists of calls) on top of ``head``.

    ``times``: seconds after head for each block (default 12 per block); the overrides go
    on the first block.
    """
    t0, n0 = int(head["timestamp"], 16), int(head["number"], 16)
    spec: list[dict[str, Any]] = []
    for i, calls in enumerate(blocks):
        dt = times[i] if times else 12 * (i + 1)
        block: dict[str, Any] = {
            "blockOverrides": {"time": hex(t0 + dt), "number": hex(n0 + 1 + i + dt // 12),
                               "gasLimit": BLOCK_GAS},
            "calls": calls}
        if i == 0 and overrides:
            block["stateOverrides"] = overrides
        spec.append(block)
    return spec


def decode_blocks(out: list[Any]) -> list[list[Result]]:
    """Each simulated block's calls as Results."""
    return [[Result(int(c["status"], 16) == 1, bytes.fromhex(str(c.get("returnData", "0x"))[2:]),
                    tuple(c.get("logs") or ())) for c in b["calls"]] for b in out]


async def run_blocks(
    reader: ChainReader,
    head: dict[str, Any],
    blocks: list[list[dict[str, Any]]],
    *,
    overrides: dict[str, Any] | None = None,
    times: list[int] | None = None,
) -> list[list[Result]]:
    """Simulate ``blocks`` on top of ``head`` (see block_spec); raises as the reader does."""
    spec = block_spec(head, blocks, overrides=overrides, times=times)
    return decode_blocks(await reader.simulate(spec))
