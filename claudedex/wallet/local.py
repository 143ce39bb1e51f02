"""Signers holding a key in process memory: anvil dev accounts and decrypted keystores.

Why one class: both sign with eth-account; they differ only in where the key came from.
The key never leaves the :class:`LocalAccount` and never appears in repr or logs.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address

from claudedex.wallet.txcodec import normalize


class LocalKeySigner:
    kind = "local"

    def __init__(self, account: LocalAccount) -> None:
        self._account = account

    @property
    def address(self) -> str:
        return str(self._account.address)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(address={self.address})"

    async def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Sign with eth-account after the same normalisation the hardware signers use."""
        unsigned = normalize(tx)  # refuses what the hardware signers would refuse
        fields: dict[str, Any] = {
            "chainId": unsigned.chain_id,
            "nonce": unsigned.nonce,
            "gas": unsigned.gas,
            "value": unsigned.value,
            "data": unsigned.data,
        }
        if unsigned.to:
            fields["to"] = unsigned.to_checksum
        if unsigned.type == 2:
            fields["maxFeePerGas"] = unsigned.max_fee_per_gas
            fields["maxPriorityFeePerGas"] = unsigned.max_priority_fee_per_gas
            fields["accessList"] = [
                {"address": to_checksum_address(a), "storageKeys": ["0x" + k.hex() for k in ks]}
                for a, ks in unsigned.access_list
            ]
            fields["type"] = 2
        else:
            fields["gasPrice"] = unsigned.gas_price
        signed = self._account.sign_transaction(fields)
        return bytes(signed.raw_transaction)


class DevnetSigner(LocalKeySigner):
    """A plain local key, for anvil's well-known dev accounts on ``--profile devnet``."""

    kind = "devnet"

    def __init__(self, private_key: str | bytes) -> None:
        super().__init__(Account.from_key(private_key))
