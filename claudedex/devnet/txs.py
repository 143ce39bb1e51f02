"""Signed transactions from one devnet account, with a local nonce.

Why local signing and raw sends (not ``eth_sendTransaction`` on unlocked accounts): the bot
and its signer layer sign locally too, so the devnet exercises the same path as live. Keeping
the nonce locally avoids one RPC round-trip per transaction, which matters for swaps/s.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from claudedex.devnet.anvil import DevAccount
from claudedex.errors import ChainError

MAX_FEE = Web3.to_wei(100, "gwei")
PRIORITY_FEE = Web3.to_wei(1, "gwei")


class TxReverted(ChainError):
    """A mined transaction has status 0 (the honeypot sell, the blacklisted transfer)."""

    def __init__(self, tx_hash: str, receipt: TxReceipt) -> None:
        super().__init__(f"transaction {tx_hash} reverted in block {receipt['blockNumber']}")
        self.tx_hash = tx_hash
        self.receipt = receipt


@dataclass
class Sender:
    """Signs and sends transactions for one account; thread-safe nonce handling."""

    w3: Web3
    account: LocalAccount
    chain_id: int
    _nonce: int | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def from_dev(cls, w3: Web3, dev: DevAccount | str, chain_id: int | None = None) -> Sender:
        key = dev.private_key if isinstance(dev, DevAccount) else dev
        return cls(w3, Account.from_key(key), chain_id or w3.eth.chain_id)

    @property
    def address(self) -> str:
        return str(self.account.address)

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
        nonce = self._nonce
        self._nonce += 1
        return nonce

    def resync_nonce(self) -> None:
        """Forget the local nonce (after a send failed before reaching the pool)."""
        with self._lock:
            self._nonce = None

    def send_raw(
        self,
        *,
        to: str | None,
        data: bytes = b"",
        value: int = 0,
        gas: int | None = None,
    ) -> HexBytes:
        """Sign and broadcast; returns the hash without waiting for a receipt."""
        tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "value": value,
            "data": data,
            "maxFeePerGas": MAX_FEE,
            "maxPriorityFeePerGas": PRIORITY_FEE,
            "type": 2,
        }
        if to is not None:
            tx["to"] = Web3.to_checksum_address(to)
        with self._lock:
            if gas is None:
                estimate = dict(tx, **{"from": self.account.address})
                # +80k: a swap mined in a later second than the estimate writes the pair's price
                # accumulators (~44k gas the estimate did not pay for).
                gas = int(self.w3.eth.estimate_gas(estimate) * 12 // 10) + 80_000  # type: ignore[arg-type]  # dict is a valid TxParams
            tx["gas"] = gas
            tx["nonce"] = self._next_nonce()
            signed = self.account.sign_transaction(tx)
            try:
                return self.w3.eth.send_raw_transaction(signed.raw_transaction)
            except Exception:
                self._nonce = None
                raise

    def wait(self, tx_hash: HexBytes, *, check: bool = True, timeout: float = 60) -> TxReceipt:
        receipt = self.w3.eth.wait_for_transaction_receipt(
            tx_hash, timeout=timeout, poll_latency=0.01
        )
        if check and receipt["status"] != 1:
            raise TxReverted(tx_hash.to_0x_hex(), receipt)
        return receipt

    def transact(
        self,
        fn: ContractFunction,
        *,
        value: int = 0,
        gas: int | None = None,
        check: bool = True,
    ) -> TxReceipt:
        """Call a contract function in a signed transaction and wait for its receipt."""
        data = HexBytes(fn._encode_transaction_data())
        tx_hash = self.send_raw(to=fn.address, data=bytes(data), value=value, gas=gas)
        return self.wait(tx_hash, check=check)

    def deploy(self, bytecode: bytes, ctor_args: bytes = b"", *, gas: int | None = None) -> str:
        """Deploy creation code (+ ABI-encoded constructor args); returns the address."""
        tx_hash = self.send_raw(to=None, data=bytecode + ctor_args, gas=gas)
        receipt = self.wait(tx_hash)
        address = receipt["contractAddress"]
        if address is None:
            raise ChainError(f"deployment {tx_hash.to_0x_hex()} created no contract")
        return str(address)
