"""The signer protocol every face and the execution layer depend on.

Why a protocol: execution must not care whether a key lives in an encrypted keystore, a
Ledger or a Trezor; and every signer is wrapped in a guard (caps, allow-list, halt) that
the execution layer cannot bypass because it never holds the bare signer.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Signer(Protocol):
    """Signs transactions for one account; raises SignerRefused when it will not."""

    kind: str  # "keystore" | "ledger" | "trezor" | "devnet"

    @property
    def address(self) -> str:
        """Checksummed address of the account."""
        ...

    async def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Return the raw signed transaction (EIP-1559 when tx has maxFeePerGas, else EIP-155)."""
        ...
