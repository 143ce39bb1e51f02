"""The shared codec must produce eth-account's exact bytes and refuse malformed input."""

from __future__ import annotations

import pytest
from eth_keys.datatypes import PrivateKey

from claudedex.errors import SignerRefused
from claudedex.wallet.sim.samples import OTHER, TEST_ADDRESS, TEST_KEY, eip1559, legacy, reference
from claudedex.wallet.txcodec import decode_payload, normalize

CASES = [
    eip1559(),
    eip1559(chain_id=8453, data=b"\xaa" * 700, value=0),
    eip1559(accessList=[{"address": OTHER, "storageKeys": ["0x" + "00" * 31 + "05"]}]),
    legacy(),
    legacy(chain_id=56, data=b"\x01" * 300),
    legacy(chain_id=31337),
    legacy(chain_id=2**40),
]


@pytest.mark.parametrize("tx", CASES)
def test_raw_matches_eth_account_and_recovers(tx: dict[str, object]) -> None:
    unsigned = normalize(dict(tx))
    sig = PrivateKey(TEST_KEY).sign_msg_hash(unsigned.signing_hash())
    assert unsigned.raw(sig.v, sig.r, sig.s) == reference(dict(tx))
    assert unsigned.recover(sig.v, sig.r, sig.s) == TEST_ADDRESS
    assert decode_payload(unsigned.payload()) == unsigned


@pytest.mark.parametrize(
    "tx",
    [
        {k: v for k, v in eip1559().items() if k != "chainId"},
        eip1559(gasPrice=1),
        eip1559(to="0x1234"),
        legacy(value=-1),
        legacy(type=1),
        legacy(accessList=[{"address": OTHER, "storageKeys": []}]),
    ],
)
def test_malformed_transactions_are_refused(tx: dict[str, object]) -> None:
    with pytest.raises(SignerRefused):
        normalize(dict(tx))
