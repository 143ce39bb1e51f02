"""Signing throughput per signer (simulated devices: measures our protocol code, not a
human pressing a button). Prints one JSON object."""

from __future__ import annotations

import asyncio
import json
import time

from claudedex.wallet.base import Signer
from claudedex.wallet.guard import GuardedSigner
from claudedex.wallet.ledger import LedgerSigner
from claudedex.wallet.ledger_transport import HidTransport, TcpTransport
from claudedex.wallet.local import DevnetSigner
from claudedex.wallet.sim.ledger_sim import LedgerAppSimulator, SimulatedHidDevice, SpeculosServer
from claudedex.wallet.sim.samples import ROUTER, TEST_ADDRESS, TEST_KEY, eip1559
from claudedex.wallet.sim.trezor_sim import TrezorSimulator, TrezorUdpServer
from claudedex.wallet.trezor import TrezorSigner
from claudedex.wallet.trezor_transport import UdpTransport

N = 200


async def bench(signer: Signer, tx: dict[str, object]) -> float:
    start = time.perf_counter()
    for _ in range(N):
        await signer.sign_transaction(dict(tx))
    return (time.perf_counter() - start) / N * 1e3


async def main() -> None:
    from eth_abi.abi import encode
    from eth_utils.crypto import keccak

    data = keccak(text="swapExactETHForTokens(uint256,address[],address,uint256)")[:4] + encode(
        ["uint256", "address[]", "address", "uint256"], [0, [ROUTER, ROUTER], TEST_ADDRESS, 1]
    )
    tx = eip1559(chain_id=31337, data=data, value=1)
    big = eip1559(chain_id=31337, data=b"\x01" * 4000)
    speculos = SpeculosServer(LedgerAppSimulator(TEST_KEY))
    trezor = TrezorUdpServer(TrezorSimulator(TEST_KEY))
    try:
        devnet = DevnetSigner(TEST_KEY)
        ledger_hid = LedgerSigner(HidTransport(SimulatedHidDevice(LedgerAppSimulator(TEST_KEY))))
        ledger_tcp = LedgerSigner(TcpTransport(speculos.host, speculos.port))
        trezor_udp = TrezorSigner(UdpTransport(trezor.host, trezor.port))
        guarded = GuardedSigner(
            devnet,
            chain_id=31337,
            per_trade_cap_wei=10**18,
            daily_cap_wei=10**30,
            allowed_targets={ROUTER},
            allowed_approve_tokens=set(),
            is_halted=lambda: False,
            quote_token="0x" + "88" * 20,
        )
        result = {
            "n": N,
            "ms_per_sign": {
                "devnet": round(await bench(devnet, tx), 3),
                "guarded_devnet": round(await bench(guarded, tx), 3),
                "ledger_sim_hid": round(await bench(ledger_hid, tx), 3),
                "ledger_sim_tcp": round(await bench(ledger_tcp, tx), 3),
                "trezor_sim_udp": round(await bench(trezor_udp, tx), 3),
                "ledger_sim_hid_4kB_calldata": round(await bench(ledger_hid, big), 3),
                "trezor_sim_udp_4kB_calldata": round(await bench(trezor_udp, big), 3),
            },
        }
        print(json.dumps(result))
    finally:
        speculos.stop()
        trezor.stop()


if __name__ == "__main__":
    asyncio.run(main())
