"""Controllers beyond the first slots: constant SLOAD keys and packed addresses."""

from __future__ import annotations

from claudedex.devnet.zoo.artifacts_loader import zoo_artifact
from claudedex.safety.bytecode import analyze_code
from claudedex.safety.controllers import _packed_address
from claudedex.safety.simkit import UPGRADE_STUB

ADDR = 0x3C44CDDDB6A900FA2B585DD299E03D12FA4293BC


def test_slot_17_read_next_to_caller_is_found() -> None:
    code = zoo_artifact("DeepConfigToken").bytecode  # creation code embeds the runtime
    facts = analyze_code(code)
    assert 17 in facts.storage_slots
    assert 17 in facts.sender_slots


def test_push_sload_with_large_key_is_not_a_layout_slot() -> None:
    # PUSH1 0x11 SLOAD; PUSH32 <hash> SLOAD; PUSH0 SLOAD; CALLER
    code = bytes.fromhex("601154" + "7f" + "ab" * 32 + "54" + "5f54" + "33")
    facts = analyze_code(code)
    assert facts.storage_slots == (0x11, 0)
    assert facts.sender_slots == (0x11, 0)


def test_packed_and_plain_addresses() -> None:
    assert _packed_address(ADDR) == hex(ADDR)
    assert _packed_address((1 << 160) | ADDR) == hex(ADDR)  # a bool packed above it
    assert _packed_address(12345) is None
    assert _packed_address(2**255 | ADDR) is None  # a hash, not a packed address


def test_upgrade_stub_answers_proxiable_uuid_and_reverts_otherwise() -> None:
    code = bytes.fromhex(UPGRADE_STUB[2:])
    assert code[20] == 0x5B  # the JUMPI target (0x14) is the JUMPDEST
    assert code[6:11] == bytes.fromhex("6352d1902d")
    assert code.endswith(bytes.fromhex("60005260206000f3"))
