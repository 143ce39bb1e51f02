"""Check 3: what the runtime bytecode says: selectors, proxy slots, dangerous opcodes.

Why walk opcodes instead of searching bytes: PUSH data can contain any byte, so only a walk
that skips PUSH immediates tells a real DELEGATECALL or SELFDESTRUCT from a constant. The
selectors come from the dispatcher (``PUSH4 sel ... EQ``); constants compared with GT/LT
are the binary-search pivots solc emits and are not functions. Storage slots read with a
constant key (``PUSHn k SLOAD``) are where roles live, wherever they sit in the layout; the
ones read near a ``CALLER`` are the ones compared with ``msg.sender``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from claudedex.domain import Finding, Severity
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import as_address

IMPL_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
ADMIN_SLOT = 0xB53127684A568B3173AE13B9F8A6016E243E63B6E8EE1178D6A717850B5D6103
BEACON_SLOT = 0xA3F0AD74E5423AEBFD80D3EF4346578335A9A72AEAEE59FF6CB3582B35133D50
OP_EQ, OP_GT, OP_LT = 0x14, 0x11, 0x10
OP_CALL, OP_DELEGATECALL, OP_SELFDESTRUCT = 0xF1, 0xF4, 0xFF
OP_PUSH1, OP_PUSH4, OP_PUSH20, OP_PUSH32 = 0x60, 0x63, 0x73, 0x7F
OP_PUSH0, OP_SLOAD, OP_CALLER = 0x5F, 0x54, 0x33
MAX_SLOT_KEY = 2**16  # a layout slot; larger constants are mapping/ERC-1967 hashes
SENDER_WINDOW = 12  # ops between a constant SLOAD and a CALLER that count as "compared"


@dataclass(frozen=True)
class CodeFacts:
    """Facts read from one contract's runtime code."""

    size: int
    selectors: tuple[str, ...]
    opcodes: frozenset[int]
    embedded_addresses: tuple[str, ...]
    call_count: int
    storage_slots: tuple[int, ...] = ()  # constant SLOAD keys, in code order
    sender_slots: tuple[int, ...] = ()  # those read within SENDER_WINDOW ops of a CALLER


def _strip_metadata(code: bytes) -> bytes:
    """Drop solc's CBOR metadata tail (its length is the last two bytes)."""
    if len(code) > 2:
        n = int.from_bytes(code[-2:], "big")
        if 0 < n < len(code) - 2 and code[-2 - n] in (0xA1, 0xA2, 0xA3):
            return code[: -2 - n]
    return code


def analyze_code(code: bytes) -> CodeFacts:
    """Walk the code once: selectors, opcodes used, and address-looking constants."""
    body = _strip_metadata(code)
    ops: list[tuple[int, bytes]] = []
    i = 0
    while i < len(body):
        op = body[i]
        size = op - OP_PUSH1 + 1 if OP_PUSH1 <= op <= OP_PUSH32 else 0
        ops.append((op, body[i + 1:i + 1 + size]))
        i += 1 + size
    selectors: list[str] = []
    addresses: list[str] = []
    for k, (op, data) in enumerate(ops):
        if op == OP_PUSH4 and len(data) == 4:
            nxt = [o for o, _ in ops[k + 1:k + 4]]
            if OP_EQ in nxt and OP_GT not in nxt and OP_LT not in nxt:
                sel = "0x" + data.hex()
                if sel not in selectors and data != b"\xff\xff\xff\xff":
                    selectors.append(sel)
        elif op in (OP_PUSH20, OP_PUSH32) and len(data) in (20, 32):
            value = int.from_bytes(data, "big")
            if 2**150 < value < 2**160:  # an address, not a small constant or a hash
                addr = as_address(value)
                if addr not in addresses:
                    addresses.append(addr)
    used = frozenset(op for op, _ in ops)
    calls = sum(1 for op, _ in ops if op == OP_CALL)
    slots, sender = _constant_sloads(ops)
    return CodeFacts(len(code), tuple(selectors), used, tuple(addresses), calls, slots, sender)


def _constant_sloads(ops: list[tuple[int, bytes]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Slots read as ``PUSH k; SLOAD`` (k a layout slot), and those read near a CALLER."""
    callers = [k for k, (op, _) in enumerate(ops) if op == OP_CALLER]
    slots: dict[int, None] = {}
    sender: dict[int, None] = {}
    for k in range(1, len(ops)):
        prev_op, data = ops[k - 1]
        if ops[k][0] != OP_SLOAD or not (prev_op == OP_PUSH0 or OP_PUSH1 <= prev_op <= OP_PUSH32):
            continue
        key = int.from_bytes(data, "big") if data else 0
        if key >= MAX_SLOT_KEY:
            continue
        slots[key] = None
        if any(abs(c - k) <= SENDER_WINDOW for c in callers):
            sender[key] = None
    return tuple(slots), tuple(sender)


@dataclass(frozen=True)
class BytecodeReport:
    """The token's code facts, its proxy implementation (if any), and the findings."""

    token: CodeFacts
    implementation: str | None
    impl: CodeFacts | None
    proxy_admin: str | None
    findings: tuple[Finding, ...]

    @property
    def selectors(self) -> tuple[str, ...]:
        extra = self.impl.selectors if self.impl else ()
        return tuple(dict.fromkeys(self.token.selectors + extra))

    @property
    def storage_slots(self) -> tuple[int, ...]:
        """Constant SLOAD keys of the token and its implementation (the layout is shared)."""
        extra = self.impl.storage_slots if self.impl else ()
        return tuple(dict.fromkeys(self.token.storage_slots + extra))

    @property
    def sender_slots(self) -> tuple[int, ...]:
        extra = self.impl.sender_slots if self.impl else ()
        return tuple(dict.fromkeys(self.token.sender_slots + extra))

    @property
    def embedded_addresses(self) -> tuple[str, ...]:
        extra = self.impl.embedded_addresses if self.impl else ()
        return tuple(dict.fromkeys(self.token.embedded_addresses + extra))


async def inspect_bytecode(reader: ChainReader, token: str) -> BytecodeReport:
    """Read code and the EIP-1967 slots; produce the bytecode findings."""
    code, impl_word, admin_word, beacon_word = await asyncio.gather(
        reader.code(token), reader.storage(token, IMPL_SLOT),
        reader.storage(token, ADMIN_SLOT), reader.storage(token, BEACON_SLOT))
    findings: list[Finding] = []
    if not code:
        findings.append(Finding("NO_CODE", Severity.CRITICAL, "the token address has no code",
                                {"token": token}))
        return BytecodeReport(analyze_code(b""), None, None, None, tuple(findings))
    facts = analyze_code(code)
    implementation = as_address(impl_word) if impl_word else None
    admin = as_address(admin_word) if admin_word else None
    impl_facts = None
    if implementation:
        impl_facts = analyze_code(await reader.code(implementation))
        findings.append(Finding(
            "UPGRADEABLE_PROXY", Severity.MEDIUM,
            "EIP-1967 proxy: whoever controls the admin can replace the token's code",
            {"implementation": implementation, "admin": admin or ""}))
    if beacon_word:
        findings.append(Finding("BEACON_PROXY", Severity.MEDIUM,
                                "EIP-1967 beacon proxy: the beacon owner can replace the code",
                                {"beacon": as_address(beacon_word)}))
    if OP_DELEGATECALL in facts.opcodes and not implementation:
        findings.append(Finding("DELEGATECALL", Severity.MEDIUM,
                                "the code can run another contract's code as itself "
                                "(DELEGATECALL outside a standard proxy)", {}))
    all_ops = facts.opcodes | (impl_facts.opcodes if impl_facts else frozenset())
    if OP_SELFDESTRUCT in all_ops:
        findings.append(Finding("SELFDESTRUCT", Severity.HIGH,
                                "the code contains SELFDESTRUCT", {}))
    if facts.call_count:
        findings.append(Finding("EXTERNAL_CALLS", Severity.INFO,
                                f"the code makes external calls ({facts.call_count} CALL sites)",
                                {"calls": str(facts.call_count)}))
    return BytecodeReport(facts, implementation, impl_facts, admin, tuple(findings))
