"""What a transaction spends, read from its calldata: the guard's caps apply to this value.

Why calldata and not ``tx.value``: a swap from WETH or any token carries no ETH value, yet it
spends as much as a buy paid in ETH (an attacker's ``swapExactTokensForTokens`` of 1000 WETH
into a worthless token has ``value = 0``). The guard decodes every allowed Router02 swap,
names the asset that leaves the wallet and its amount (the maximum for exact-output swaps),
and the asset that comes back. Only swaps are allowed: the engine never adds or removes
liquidity, so those functions are not on the list at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


_SWAP3 = ["uint256", "uint256", "address[]", "address", "uint256"]
_SWAP_ETH_IN = ["uint256", "address[]", "address", "uint256"]

# Router02 swap -> (argument types, recipient index, amount-in index or None for ETH in)
SWAP_FUNCTIONS: dict[str, tuple[list[str], int, int | None]] = {
    "swapExactTokensForTokens": (_SWAP3, 3, 0),
    "swapTokensForExactTokens": (_SWAP3, 3, 1),  # amountInMax
    "swapExactETHForTokens": (_SWAP_ETH_IN, 2, None),
    "swapTokensForExactETH": (_SWAP3, 3, 1),  # amountInMax
    "swapExactTokensForETH": (_SWAP3, 3, 0),
    "swapETHForExactTokens": (_SWAP_ETH_IN, 2, None),
    "swapExactTokensForTokensSupportingFeeOnTransferTokens": (_SWAP3, 3, 0),
    "swapExactETHForTokensSupportingFeeOnTransferTokens": (_SWAP_ETH_IN, 2, None),
    "swapExactTokensForETHSupportingFeeOnTransferTokens": (_SWAP3, 3, 0),
}
SWAP_SELECTORS: dict[bytes, tuple[str, list[str], int, int | None]] = {
    _selector(f"{name}({','.join(types)})"): (name, types, to_index, amount_index)
    for name, (types, to_index, amount_index) in SWAP_FUNCTIONS.items()
}
APPROVE_SELECTOR = _selector("approve(address,uint256)")
UNLIMITED = 2**255  # an allowance at or above this is "infinite" in every wallet's eyes


class CalldataError(ValueError):
    """The calldata does not decode as the function its selector names."""


@dataclass(frozen=True, slots=True)
class Swap:
    """One decoded Router02 swap (addresses checksummed; amounts in base units)."""

    function: str
    recipient: str
    path: tuple[str, ...]
    token_in: str  # "" when ETH goes in (the tx value pays)
    amount_in: int  # exact input, or the maximum for exact-output swaps; 0 for ETH in

    def ends_in(self, quote_token: str) -> bool:
        """The swap's output is the quote asset (WETH, unwrapped to ETH or not)."""
        return self.path[-1].lower() == quote_token.lower()


def decode_swap(data: bytes) -> Swap | None:
    """The swap in ``data``, None when the selector is not an allowed swap.

    Raises :class:`CalldataError` when the selector is known but the arguments do not decode.
    """
    known = SWAP_SELECTORS.get(data[:4])
    if known is None:
        return None
    name, types, to_index, amount_index = known
    # eth-abi (20 ms with its grammar parser) is imported by the first calldata decoded:
    # a replay signs nothing and never needs it
    from eth_abi.abi import decode as abi_decode

    try:
        args = abi_decode(types, data[4:])
    except Exception as exc:  # noqa: BLE001 - eth-abi raises many decoder types; all mean "bad"
        raise CalldataError(f"{name}: calldata does not decode") from exc
    path = tuple(to_checksum_address(a) for a in args[to_index - 1])
    if len(path) < 2:
        raise CalldataError(f"{name}: a swap path needs two tokens")
    recipient = to_checksum_address(args[to_index])
    if amount_index is None:  # ETH in: the transaction's value pays
        return Swap(name, recipient, path, "", 0)
    return Swap(name, recipient, path, path[0], int(args[amount_index]))


def decode_approve(data: bytes) -> tuple[str, int]:
    """(spender, amount) of an ERC-20 ``approve``; raises CalldataError."""
    if data[:4] != APPROVE_SELECTOR:
        raise CalldataError("not an approve call")
    from eth_abi.abi import decode as abi_decode  # first use only (see decode_swap)

    try:
        spender, amount = abi_decode(["address", "uint256"], data[4:])
    except Exception as exc:  # noqa: BLE001 - eth-abi raises many decoder types; all mean "bad"
        raise CalldataError("approve: calldata does not decode") from exc
    return to_checksum_address(spender), int(amount)
