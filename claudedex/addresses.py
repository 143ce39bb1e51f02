"""EIP-55 checksummed addresses, memoised.

Why: every route the planner prices names its tokens checksummed (web3 and eth-abi want
them so), and ``eth_utils.to_checksum_address`` hashes the address with keccak-256 each
time (about 20 µs). A run trades a few hundred tokens at most, so the answers are kept.
"""

from __future__ import annotations

from functools import lru_cache

from eth_utils.address import to_checksum_address


@lru_cache(maxsize=1 << 16)
def checksum(address: str) -> str:
    """``address`` (20 bytes as ``0x`` + 40 hex digits, any case) in EIP-55 mixed case
    (EIP-55: "Mixed-case checksum address encoding"). Raises ValueError for anything else
    (as ``eth_utils.to_checksum_address``)."""
    return str(to_checksum_address(address))


__all__ = ["checksum"]
