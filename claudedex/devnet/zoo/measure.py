"""Measure what a trade really did to the pool: the tax a token took, in exact integers.

Why measure at the pair: the pair's reserves are the one number a token cannot lie about
(lying_balance lies in balanceOf; taxes hide in transfer). Valid when no other trade on the
same pair lands in the same block (automine, or a quiet pair).
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from claudedex.devnet.uniswap import get_amount_out
from claudedex.devnet.zoo.trading import Signer, SwapResult, buy, sell, token_reserves


@dataclass(frozen=True)
class Measured:
    """A swap plus the token amount that crossed the pair boundary."""

    swap: SwapResult
    pair_side: int  # buy: tokens the pair sent out; sell: tokens the pair actually received

    def buy_tax_bps(self) -> int:
        """(sent - received) / sent in basis points, rounded down; for buys."""
        if self.pair_side == 0:
            return 0
        return (self.pair_side - self.swap.amount_out) * 10_000 // self.pair_side

    def sell_tax_bps(self) -> int:
        """(offered - reached the pair) / offered in basis points, rounded down; for sells."""
        if self.swap.amount_in == 0:
            return 0
        return (self.swap.amount_in - self.pair_side) * 10_000 // self.swap.amount_in


def measured_buy(
    w3: Web3, signer: Signer, router: str, token: str, pair: str, eth_in: int
) -> Measured:
    """Buy and report how many tokens left the pair (Uniswap's own getAmountOut)."""
    token_reserve, weth_reserve = token_reserves(w3, pair, token)
    sent = get_amount_out(eth_in, weth_reserve, token_reserve)
    swap = buy(w3, signer, router, token, eth_in)
    return Measured(swap, sent)


def measured_sell(
    w3: Web3, signer: Signer, router: str, token: str, pair: str, amount: int
) -> Measured:
    """Sell and report how many tokens reached the pair (token reserve delta)."""
    before, _ = token_reserves(w3, pair, Web3.to_checksum_address(token))
    swap = sell(w3, signer, router, token, amount)
    after, _ = token_reserves(w3, pair, Web3.to_checksum_address(token))
    return Measured(swap, after - before)
