"""Trezor: protobuf + framing codecs, and TrezorSigner against the UDP simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account

from claudedex.errors import SignerRefused
from claudedex.wallet import trezor_proto as tp
from claudedex.wallet.sim.samples import OTHER, TEST_ADDRESS, TEST_KEY, eip1559, legacy, reference
from claudedex.wallet.sim.trezor_sim import TrezorSimulator, TrezorUdpServer
from claudedex.wallet.trezor import TrezorSigner
from claudedex.wallet.trezor_transport import UdpTransport


def test_varints_and_fields_roundtrip() -> None:
    assert tp.varint(300) == b"\xac\x02"
    assert tp.read_varint(b"\xac\x02", 0) == (300, 2)
    encoded = tp.encode([(1, 0x8000002C), (1, 60), (2, b"\x01\x02"), (11, "0xAb")])
    assert tp.decode(encoded) == {1: [0x8000002C, 60], 2: [b"\x01\x02"], 11: [b"0xAb"]}
    assert tp.int_bytes(0) == b"" and tp.int_bytes(256) == b"\x01\x00"
    with pytest.raises(ValueError):
        tp.decode(b"\x12\x05ab")  # length 5, only 2 bytes


def test_framing_roundtrip() -> None:
    payload = bytes(range(200))
    packets = tp.frame(tp.ETHEREUM_TX_ACK, payload)
    assert all(len(p) == 64 and p[:1] == b"?" for p in packets)
    assert packets[0][:9] == b"?##\x00\x3c\x00\x00\x00\xc8"
    u = tp.Unframer()
    results = [u.feed(p) for p in packets]
    assert results[-1] == (tp.ETHEREUM_TX_ACK, payload)
    assert all(r is None for r in results[:-1])
    assert tp.frame(tp.INITIALIZE, b"") == [b"?##" + b"\x00" * 61]


@pytest.fixture
def sim() -> Iterator[tuple[TrezorSimulator, TrezorSigner]]:
    device = TrezorSimulator(TEST_KEY)
    server = TrezorUdpServer(device)
    transport = UdpTransport(server.host, server.port, timeout_s=10)
    try:
        assert transport.ping()
        yield device, TrezorSigner(transport)
    finally:
        transport.close()
        server.stop()


TXS = [
    eip1559(),
    eip1559(chain_id=10, data=b"\x33" * 3000),  # 1024 + 1024 + 952: two EthereumTxAck
    eip1559(data=b"\x01" * 1024),
    eip1559(accessList=[{"address": OTHER, "storageKeys": ["0x" + "11" * 32]}]),
    legacy(),
    legacy(chain_id=137, data=b"\x02" * 2500),
    legacy(chain_id=31337),
    legacy(chain_id=2**40),  # above MAX_CHAIN_ID the firmware returns the bare parity
]


@pytest.mark.parametrize("tx", TXS)
async def test_signatures_match_eth_account_byte_for_byte(
    sim: tuple[TrezorSimulator, TrezorSigner], tx: dict[str, Any]
) -> None:
    device, signer = sim
    assert signer.address == TEST_ADDRESS
    raw = await signer.sign_transaction(dict(tx))
    assert raw == reference(dict(tx))
    assert Account.recover_transaction(raw) == TEST_ADDRESS
    acks = device.received.count(tp.ETHEREUM_TX_ACK)
    assert acks == max(0, -(-len(tx["data"]) // tp.DATA_CHUNK) - 1)
    assert tp.BUTTON_ACK in device.received


async def test_cancel_on_device_is_a_refusal(sim: tuple[TrezorSimulator, TrezorSigner]) -> None:
    device, signer = sim
    device.approve = False
    with pytest.raises(SignerRefused, match="Cancelled"):
        await signer.sign_transaction(eip1559())
    device.approve = True
    assert await signer.sign_transaction(eip1559()) == reference(eip1559())


def test_ping_without_emulator_is_false() -> None:
    server = TrezorUdpServer(TrezorSimulator(TEST_KEY))
    host, port = server.host, server.port
    server.stop()
    transport = UdpTransport(host, port, timeout_s=1)
    try:
        assert transport.ping(timeout_s=0.2) is False
    finally:
        transport.close()
