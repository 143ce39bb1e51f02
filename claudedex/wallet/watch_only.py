"""A signer that can only say who it is: for paper profiles, which quote but never send.

Why: execution plans routes and amounts for an account even in dry-run; giving it a signer
that refuses everything makes "paper never signs" a property of the wiring, not a flag.
"""

from __future__ import annotations

from typing import Any

from eth_utils.address import to_checksum_address

from claudedex.errors import SignerRefused

ZERO = "0x0000000000000000000000000000000000000000"


class WatchOnlySigner:
    kind = "watch-only"

    def __init__(self, address: str = ZERO) -> None:
        self._address = to_checksum_address(address)

    @property
    def address(self) -> str:
        return self._address

    async def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        raise SignerRefused("watch-only signer: this profile never signs (paper mode)")
