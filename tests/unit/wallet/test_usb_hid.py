"""Hardware wallets over USB HID: the Trezor and Ledger HID framings against the device
simulators (the ``hid.device`` object injected), and the profile's ``device = "usb"``
choosing the HID transports (hidapi from the ``hw`` extra)."""

from __future__ import annotations

import struct
import sys
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from claudedex.config import load_profile
from claudedex.errors import SignerRefused
from claudedex.wallet import trezor_proto as tp
from claudedex.wallet.factory import build_signer
from claudedex.wallet.ledger import LedgerSigner
from claudedex.wallet.ledger_transport import CHANNEL, PACKET, TAG_APDU, HidTransport
from claudedex.wallet.sim.ledger_sim import LedgerAppSimulator, SimulatedHidDevice
from claudedex.wallet.sim.samples import TEST_ADDRESS, TEST_KEY, eip1559, legacy, reference
from claudedex.wallet.sim.trezor_sim import SimulatedTrezorHid, TrezorSimulator
from claudedex.wallet.trezor import TrezorSigner
from claudedex.wallet.trezor_transport import HidTransport as TrezorHid


class RecordingHid(SimulatedHidDevice):
    """The Ledger simulator's HID device, keeping every report written and read."""

    def __init__(self, app: LedgerAppSimulator) -> None:
        super().__init__(app)
        self.written: list[bytes] = []
        self.read_back: list[bytes] = []

    def write(self, data: list[int] | bytes) -> int:
        self.written.append(bytes(data))
        return super().write(data)

    def read(self, max_length: int, timeout_ms: int = 0) -> list[int]:
        out = super().read(max_length, timeout_ms)
        self.read_back.append(bytes(out))
        return out


@pytest.mark.parametrize("tx", [eip1559(), eip1559(data=b"\x33" * 3000), legacy(chain_id=137)])
async def test_trezor_over_hid_signs_like_eth_account(tx: dict[str, Any]) -> None:
    hid = SimulatedTrezorHid(TrezorSimulator(TEST_KEY))
    signer = TrezorSigner(TrezorHid(hid, timeout_ms=1000))
    assert signer.address == TEST_ADDRESS
    raw = await signer.sign_transaction(dict(tx))
    assert raw == reference(dict(tx)) and Account.recover_transaction(raw) == TEST_ADDRESS
    # every write: report id 0x00 + one 64-byte packet; "?##" opens a message, "?" goes on
    assert all(len(w) == 65 and w[0] == 0 and w[1:2] == b"?" for w in hid.writes)
    starts = [w for w in hid.writes if w[1:4] == b"?##"]
    types = [struct.unpack(">H", w[4:6])[0] for w in starts]
    assert types[0] == tp.INITIALIZE and tp.BUTTON_ACK in types
    assert len(hid.writes) > len(starts)  # a 3000-byte calldata needs continuation packets
    signer.close()
    assert hid.closed


async def test_ledger_over_hid_frames_on_channel_0101_tag_05() -> None:
    hid = RecordingHid(LedgerAppSimulator(TEST_KEY))
    signer = LedgerSigner(HidTransport(hid, timeout_ms=1000))
    raw = await signer.sign_transaction(eip1559(data=b"\x44" * 600))
    assert raw == reference(eip1559(data=b"\x44" * 600))
    for report in hid.written:
        assert len(report) == PACKET + 1 and report[0] == 0
        channel, tag, _seq = struct.unpack(">HBH", report[1:6])
        assert (channel, tag) == (CHANNEL, TAG_APDU)
    for packet in (p for p in hid.read_back if p):
        assert len(packet) == PACKET
        assert struct.unpack(">HB", packet[:3]) == (CHANNEL, TAG_APDU)


def test_a_silent_device_is_a_refusal_not_a_hang() -> None:
    class Silent(SimulatedTrezorHid):
        def read(self, max_length: int, timeout_ms: int = 0) -> list[int]:
            return []  # what hidapi returns when timeout_ms passes with no report

    transport = TrezorHid(Silent(TrezorSimulator(TEST_KEY)), timeout_ms=10)
    transport.write(tp.INITIALIZE, b"")
    with pytest.raises(SignerRefused, match="did not answer"):
        transport.read()


def usb_profile(kind: str) -> Any:
    profile = load_profile("devnet")
    return profile.model_copy(update={"signer": profile.signer.model_copy(
        update={"kind": kind, "device": "usb"})})


@pytest.mark.parametrize("kind", ["ledger", "trezor"])
def test_profile_usb_opens_hid_and_names_a_missing_device(kind: str, tmp_path: Path) -> None:
    pytest.importorskip("hid", reason="hidapi (the hw extra) is not installed")
    import hid

    if hid.enumerate(0x2C97 if kind == "ledger" else 0x534C, 0):
        pytest.skip("a real device is plugged in")
    with pytest.raises(SignerRefused, match=f"no {kind.capitalize()} found on USB"):
        build_signer(usb_profile(kind), tmp_path)


@pytest.mark.parametrize("kind", ["ledger", "trezor"])
def test_without_hidapi_the_refusal_names_the_extra(kind: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hid", None)  # `import hid` raises ImportError
    with pytest.raises(SignerRefused, match=r"claudedex\[hw\]"):
        build_signer(usb_profile(kind), tmp_path)
