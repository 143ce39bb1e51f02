"""LedgerSigner against the Ethereum-app simulator, over HID framing and the TCP socket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from claudedex.errors import SignerRefused
from claudedex.wallet.ledger import LedgerSigner
from claudedex.wallet.ledger_transport import HidTransport, LedgerTransport, TcpTransport
from claudedex.wallet.sim.ledger_sim import LedgerAppSimulator, SimulatedHidDevice, SpeculosServer
from claudedex.wallet.sim.samples import TEST_ADDRESS, TEST_KEY, eip1559, legacy, reference

TXS = [
    eip1559(),
    eip1559(chain_id=137, data=b"\x42" * 1500),
    eip1559(chain_id=42161, data=b""),
    legacy(),
    legacy(chain_id=56, data=b"\x07" * 640),
    legacy(chain_id=137),  # v = 309/310 does not fit a byte: truncated by the device
    legacy(chain_id=31337, data=b"\x01" * 220),
    legacy(chain_id=2**33),
]


@pytest.fixture(params=["hid", "tcp"])
def setup(request: pytest.FixtureRequest) -> Iterator[tuple[LedgerAppSimulator, LedgerTransport]]:
    app = LedgerAppSimulator(TEST_KEY)
    if request.param == "hid":
        yield app, HidTransport(SimulatedHidDevice(app))
        return
    server = SpeculosServer(app)
    transport = TcpTransport(server.host, server.port, timeout_s=10)
    try:
        yield app, transport
    finally:
        transport.close()
        server.stop()


@pytest.mark.parametrize("tx", TXS)
async def test_signatures_match_eth_account_byte_for_byte(
    setup: tuple[LedgerAppSimulator, LedgerTransport], tx: dict[str, Any]
) -> None:
    app, transport = setup
    signer = LedgerSigner(transport)
    assert signer.address == TEST_ADDRESS
    assert await signer.sign_transaction(dict(tx)) == reference(dict(tx))
    sign_apdus = [a for a in app.apdus if a[1] == 0x04]
    assert all(len(a) - 5 <= 255 for a in sign_apdus)


async def test_user_rejection_is_a_refusal(
    setup: tuple[LedgerAppSimulator, LedgerTransport],
) -> None:
    app, transport = setup
    signer = LedgerSigner(transport)
    app.approve = False
    with pytest.raises(SignerRefused, match="rejected"):
        await signer.sign_transaction(eip1559())


async def test_other_path_gives_other_account_and_still_matches() -> None:
    app = LedgerAppSimulator(TEST_KEY)
    signer = LedgerSigner(HidTransport(SimulatedHidDevice(app)), "m/44'/60'/1'/0/0")
    assert signer.address != TEST_ADDRESS
    raw = await signer.sign_transaction(eip1559())
    from eth_account import Account

    assert Account.recover_transaction(raw) == signer.address


async def test_signature_from_another_key_is_caught() -> None:
    """A device (or transport) that signs with a different key must not slip through."""
    good = LedgerAppSimulator(TEST_KEY)
    device = SimulatedHidDevice(good)
    signer = LedgerSigner(HidTransport(device))
    device.app = LedgerAppSimulator(b"\x22" * 32)
    with pytest.raises(SignerRefused, match="recovers to"):
        await signer.sign_transaction(legacy())


def test_repr_never_shows_key() -> None:
    signer = LedgerSigner(HidTransport(SimulatedHidDevice(LedgerAppSimulator(TEST_KEY))))
    assert TEST_KEY.hex() not in repr(signer)
