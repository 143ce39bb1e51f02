"""Ledger wire formats: BIP32 paths, APDU chunking, HID and Speculos framing."""

from __future__ import annotations

import struct

import pytest

from claudedex.wallet import ledger_apdu as ap
from claudedex.wallet.ledger_transport import (
    HidReassembler,
    hid_frames,
    speculos_request,
    speculos_response,
)
from claudedex.wallet.sim.samples import eip1559, legacy
from claudedex.wallet.txcodec import normalize

PATH = ap.parse_path("m/44'/60'/0'/0/0")


def test_path_parsing_and_serialisation() -> None:
    assert PATH == [0x8000002C, 0x8000003C, 0x80000000, 0, 0]
    assert ap.serialize_path(PATH) == bytes.fromhex("058000002c8000003c800000000000000000000000")
    for bad in ("44'/60'", "m", "m/x", "m/2147483648"):
        with pytest.raises(ValueError):
            ap.parse_path(bad)


def test_get_address_apdu() -> None:
    assert ap.get_address_apdu(PATH)[:5] == bytes([0xE0, 0x02, 0x00, 0x00, 21])


@pytest.mark.parametrize("size", [0, 10, 213, 214, 215, 600, 2000])
def test_sign_chunks_carry_path_first_then_continue(size: int) -> None:
    payload = normalize(eip1559(data=b"\x5a" * size)).payload()
    apdus = ap.sign_tx_apdus(PATH, payload)
    assert all(a[:2] == bytes([0xE0, 0x04]) and a[4] == len(a) - 5 <= 255 for a in apdus)
    assert apdus[0][2] == 0x00 and all(a[2] == 0x80 for a in apdus[1:])
    assert apdus[0][5:26] == ap.serialize_path(PATH)
    assert apdus[0][26:] + b"".join(a[5:] for a in apdus[1:]) == payload


@pytest.mark.parametrize("size", range(150, 260))
def test_legacy_chunks_never_end_inside_the_eip155_tail(size: int) -> None:
    payload = normalize(legacy(chain_id=31337, data=b"\x01" * size)).payload()
    tail = ap.legacy_tail_offset(payload)
    assert payload[tail:] == bytes([0x82, 0x7A, 0x69, 0x80, 0x80])  # 31337, 0, 0
    ends, pos = [], 0
    for i, a in enumerate(ap.sign_tx_apdus(PATH, payload)):
        pos += len(a) - 5 - (21 if i == 0 else 0)
        ends.append(pos)
    assert ends[-1] == len(payload)
    assert all(end < tail for end in ends[:-1])


def test_hid_framing_roundtrip_multi_packet() -> None:
    message = bytes(range(256)) + b"\x90\x00"
    frames = hid_frames(message)
    assert all(len(f) == 64 for f in frames)
    assert [struct.unpack(">HBH", f[:5]) for f in frames] == [
        (0x0101, 0x05, i) for i in range(len(frames))
    ]
    assert struct.unpack(">H", frames[0][5:7])[0] == len(message)
    r = HidReassembler()
    results = [r.feed(f) for f in frames]
    assert results[:-1] == [None] * (len(frames) - 1) and results[-1] == message


def test_hid_reassembler_rejects_out_of_order_frames() -> None:
    frames = hid_frames(b"\x00" * 200)
    r = HidReassembler()
    r.feed(frames[0])
    with pytest.raises(ValueError):
        r.feed(frames[2])


def test_speculos_framing() -> None:
    assert speculos_request(b"\xe0\x02") == b"\x00\x00\x00\x02\xe0\x02"
    assert speculos_response(b"\x01\x02", 0x9000) == b"\x00\x00\x00\x02\x01\x02\x90\x00"


def test_parity_from_truncated_v() -> None:
    # chain 31337: 31337*2+35 = 62709 -> 0xF4F5; low byte 0xF5 (+parity)
    assert ap.parity_from_v(0xF5, typed=False, chain_id=31337) == 0
    assert ap.parity_from_v(0xF6, typed=False, chain_id=31337) == 1
    assert ap.parity_from_v(37, typed=False, chain_id=1) == 0
    assert ap.parity_from_v(1, typed=True, chain_id=1) == 1
    assert ap.parity_from_v(28, typed=True, chain_id=1) == 1
    with pytest.raises(ValueError):
        ap.parity_from_v(40, typed=False, chain_id=1)
