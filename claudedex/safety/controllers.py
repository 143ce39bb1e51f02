"""Who might control a token: owner(), the proxy admin, the creator, and hidden wallets.

Why look beyond owner(): "renounced" tokens often keep a second admin (a tax wallet in an
immutable, a dev address in storage) that passes the same checks. Every address-looking
value in the storage the code reads (the first slots, plus every slot the bytecode loads with
a constant key, however deep: a fee role in slot 17 is found) and in the code's constants is a
candidate; slots read next to ``msg.sender`` come first. Owner probing then finds out, by
simulation, which of them really hold power. Contracts named there are kept apart: they are
what the token may depend on (see dependencies.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from claudedex.errors import RpcError
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import ZERO_ADDRESS, as_address
from claudedex.safety.batch import storage_many
from claudedex.safety.bytecode import BytecodeReport

OWNER_SELECTORS = {"owner()": bytes.fromhex("8da5cb5b"), "getOwner()": bytes.fromhex("893d20e8")}
DEAD = "0x000000000000000000000000000000000000dead"
STORAGE_SLOTS = 16
MAX_EXTRA_SLOTS = 48  # constant-key slots read beyond the first STORAGE_SLOTS
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class Controllers:
    """Addresses that may hold admin power, each with how we found it."""

    owner: str | None
    creator: str | None
    candidates: dict[str, str]  # lower-case address -> role ("owner", "creator", ...)
    contracts: dict[str, str] = field(default_factory=dict)  # contracts named in storage/code


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
    keys = _slot_keys(code)
    values = await storage_many(reader, token, keys)
    found: dict[str, str] = {}
    if owner and owner not in skip:
        found[owner] = "owner"
    if creator and creator not in skip:
        found.setdefault(creator, "creator")
    if code.proxy_admin and code.proxy_admin not in skip:
        found.setdefault(code.proxy_admin, "proxy admin")
    others: dict[str, str] = {}
    sender = set(code.sender_slots)
    for i, value in zip(keys, values, strict=True):
        addr = _packed_address(value)
        if addr is not None:
            how = " (compared with msg.sender)" if i in sender else ""
            others.setdefault(addr, f"address in storage slot {i}{how}")
    for addr in code.embedded_addresses:
        others.setdefault(addr, "address constant in the code")
    others = {a: r for a, r in others.items() if a not in skip and a not in found}
    eoas = await asyncio.gather(*(_is_eoa(reader, a) for a in others))
    contracts: dict[str, str] = {}
    for (addr, role), eoa in zip(others.items(), eoas, strict=True):
        if eoa and len(found) < MAX_CANDIDATES:
            found[addr] = role
        elif not eoa:
            contracts[addr] = role
    return Controllers(owner, creator, found, contracts)


def _slot_keys(code: BytecodeReport) -> list[int]:
    """Slots to read: those compared with msg.sender first, then 0..15, then the rest."""
    keys = dict.fromkeys(code.sender_slots)
    keys.update(dict.fromkeys(range(STORAGE_SLOTS)))
    extra = [k for k in code.storage_slots if k not in keys][:MAX_EXTRA_SLOTS]
    keys.update(dict.fromkeys(extra))
    return list(keys)


def _packed_address(value: int) -> str | None:
    """The address in a storage word: the whole word, or the low 20 bytes of a word that
    packs small fields (flags, a uint32 timestamp) above it."""
    low = value & (2**160 - 1)
    if 2**150 < low and value >> 160 < 2**48:
        return as_address(low)
    return None
