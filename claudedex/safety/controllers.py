"""Who might control a token: owner(), the proxy admin, the creator, and hidden wallets.

Why look beyond owner(): "renounced" tokens often keep a second admin (a tax wallet in an
immutable, a dev address in storage) that passes the same checks. Every address-looking
value in the first storage slots and in the code's constants is a candidate; owner probing
then finds out, by simulation, which of them really hold power.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from claudedex.errors import RpcError
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import ZERO_ADDRESS, as_address
from claudedex.safety.bytecode import BytecodeReport

OWNER_SELECTORS = {"owner()": bytes.fromhex("8da5cb5b"), "getOwner()": bytes.fromhex("893d20e8")}
DEAD = "0x000000000000000000000000000000000000dead"
STORAGE_SLOTS = 16
MAX_CANDIDATES = 6


@dataclass(frozen=True)
class Controllers:
    """Addresses that may hold admin power, each with how we found it."""

    owner: str | None
    creator: str | None
    candidates: dict[str, str]  # lower-case address -> role ("owner", "creator", ...)


async def find_creator(reader: ChainReader, token: str) -> str | None:
    """The deployer: ots_getContractCreator where the node has it (anvil, Erigon)."""
    try:
        out = await reader.request("ots_getContractCreator", [token])
    except RpcError:
        return None
    if isinstance(out, dict) and out.get("creator"):
        return str(out["creator"]).lower()
    return None


async def _owner(reader: ChainReader, token: str) -> str | None:
    for data in OWNER_SELECTORS.values():
        value = await reader.call_word(token, data)
        if value is not None and value < 2**160:
            return as_address(value)
    return None


async def _is_eoa(reader: ChainReader, address: str) -> bool:
    return not await reader.code(address)


async def find_controllers(
    reader: ChainReader, token: str, code: BytecodeReport, exclude: set[str]
) -> Controllers:
    """Owner, creator, proxy admin and EOAs named in storage or code constants."""
    skip = {a.lower() for a in exclude} | {ZERO_ADDRESS, DEAD, token.lower()}
    owner, creator = await asyncio.gather(_owner(reader, token), find_creator(reader, token))
    slots = await asyncio.gather(*(reader.storage(token, i) for i in range(STORAGE_SLOTS)))
    found: dict[str, str] = {}
    if owner and owner not in skip:
        found[owner] = "owner"
    if creator and creator not in skip:
        found.setdefault(creator, "creator")
    if code.proxy_admin and code.proxy_admin not in skip:
        found.setdefault(code.proxy_admin, "proxy admin")
    others: dict[str, str] = {}
    for i, value in enumerate(slots):
        if 2**150 < value < 2**160:
            others.setdefault(as_address(value), f"address in storage slot {i}")
    for addr in code.embedded_addresses:
        others.setdefault(addr, "address constant in the code")
    others = {a: r for a, r in others.items() if a not in skip and a not in found}
    eoas = await asyncio.gather(*(_is_eoa(reader, a) for a in others))
    for (addr, role), eoa in zip(others.items(), eoas, strict=True):
        if eoa and len(found) < MAX_CANDIDATES:
            found[addr] = role
    return Controllers(owner, creator, found)
