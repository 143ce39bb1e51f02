"""Every signer's raw transactions are accepted by a real node (anvil) from the right sender."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from claudedex.wallet.base import Signer
from claudedex.wallet.ledger import LedgerSigner
from claudedex.wallet.ledger_transport import HidTransport, TcpTransport
from claudedex.wallet.local import DevnetSigner
from claudedex.wallet.sim.ledger_sim import LedgerAppSimulator, SimulatedHidDevice, SpeculosServer
from claudedex.wallet.sim.trezor_sim import TrezorSimulator, TrezorUdpServer
from claudedex.wallet.trezor import TrezorSigner
from claudedex.wallet.trezor_transport import UdpTransport

ROOT = Path(__file__).resolve().parents[3]
ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
DEV_KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
CHAIN_ID = 31337

pytestmark = pytest.mark.anvil


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def w3() -> Iterator[Web3]:
    port = _free_port()
    proc = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--chain-id", str(CHAIN_ID), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        web3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}"))
        for _ in range(100):
            if proc.poll() is None and web3.is_connected():
                break
            time.sleep(0.1)
        assert web3.is_connected(), "anvil did not start"
        yield web3
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _tx(w3: Web3, sender: str, typed: bool) -> dict[str, Any]:
    tx: dict[str, Any] = {
        "chainId": CHAIN_ID,
        "nonce": w3.eth.get_transaction_count(sender),  # type: ignore[arg-type]
        "gas": 200_000,
        "to": "0x000000000000000000000000000000000000dEaD",
        "value": 12345,
        "data": b"\x01" * 1500,  # several Ledger APDUs, two Trezor data chunks
    }
    if typed:
        tx.update(maxFeePerGas=10 * 10**9, maxPriorityFeePerGas=10**9)
    else:
        tx["gasPrice"] = 10 * 10**9
    return tx


async def _send(w3: Web3, signer: Signer, typed: bool) -> None:
    raw = await signer.sign_transaction(_tx(w3, signer.address, typed))
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))
    assert receipt["status"] == 1
    assert receipt["from"] == signer.address
    assert receipt["type"] == (2 if typed else 0)


@pytest.mark.parametrize("typed", [True, False])
async def test_devnet_signer(w3: Web3, typed: bool) -> None:
    await _send(w3, DevnetSigner(DEV_KEY), typed)


@pytest.mark.parametrize("typed", [True, False])
async def test_ledger_over_hid_and_tcp(w3: Web3, typed: bool) -> None:
    app = LedgerAppSimulator(DEV_KEY)
    await _send(w3, LedgerSigner(HidTransport(SimulatedHidDevice(app))), typed)
    server = SpeculosServer(app)
    try:
        signer = LedgerSigner(TcpTransport(server.host, server.port, timeout_s=10))
        await _send(w3, signer, typed)
        signer.close()
    finally:
        server.stop()


@pytest.mark.parametrize("typed", [True, False])
async def test_trezor_over_udp(w3: Web3, typed: bool) -> None:
    server = TrezorUdpServer(TrezorSimulator(DEV_KEY))
    try:
        signer = TrezorSigner(UdpTransport(server.host, server.port, timeout_s=10))
        await _send(w3, signer, typed)
        signer.close()
    finally:
        server.stop()
