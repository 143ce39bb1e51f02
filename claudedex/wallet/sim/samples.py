"""Sample transactions and a throwaway test key, shared by tests, benchmarks and demos.

Why in the package: tests run with importlib import mode (no sibling imports), and the
benchmark script signs the same transactions. ``TEST_KEY`` guards nothing: never fund it.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils.address import to_checksum_address

TEST_KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
TEST_ADDRESS: str = str(Account.from_key(TEST_KEY).address)
ROUTER = to_checksum_address("0x7a250d5630b4cf539739df2c5dacb4c659f2488d")
OTHER = to_checksum_address("0x" + "ab" * 20)


def eip1559(chain_id: int = 1, data: bytes = b"\x12\x34", **extra: Any) -> dict[str, Any]:
    tx: dict[str, Any] = {
        "chainId": chain_id,
        "nonce": 7,
        "gas": 250_000,
        "to": ROUTER,
        "value": 10**17,
        "data": data,
        "maxFeePerGas": 40 * 10**9,
        "maxPriorityFeePerGas": 2 * 10**9,
        "type": 2,
    }
    tx.update(extra)
    return tx


def legacy(chain_id: int = 1, data: bytes = b"", **extra: Any) -> dict[str, Any]:
    tx: dict[str, Any] = {
        "chainId": chain_id,
        "nonce": 0,
        "gas": 21_000,
        "to": OTHER,
        "value": 12345,
        "data": data,
        "gasPrice": 30 * 10**9,
    }
    tx.update(extra)
    return tx


def reference(tx: dict[str, Any], key: bytes = TEST_KEY) -> bytes:
    """What eth-account produces for the same transaction and key."""
    return bytes(Account.sign_transaction(tx, key).raw_transaction)
