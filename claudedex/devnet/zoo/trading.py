"""Add liquidity, buy and sell through Router02 with real signed transactions.

Why the fee-on-transfer swap variants: half the zoo taxes transfers, and the plain
``swapExact*`` functions revert on any token whose received amount differs from the quote.
The market simulator, the zoo's own scam actions and the tests all trade through here.
A failed swap (estimate revert or mined status 0) raises :class:`SwapFailed`, so callers
can tell a honeypot from an RPC fault (other ChainErrors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.types import TxReceipt

from claudedex.devnet.artifacts import abi
from claudedex.devnet.txs import Sender, TxReverted
from claudedex.devnet.uniswap import pair_contract as pair_at  # one pair-contract helper
from claudedex.errors import ChainError

DEADLINE = 2**64  # far future: anvil time may be pushed forward by tests (evm_increaseTime)
MAX_UINT = 2**256 - 1
DEAD = "0x000000000000000000000000000000000000dEaD"
_WITHDRAWAL_TOPIC = keccak(text="Withdrawal(address,uint256)")

Signer = LocalAccount | Sender


class SwapFailed(ChainError):
    """A swap or liquidity call reverted (at estimate or on chain); ``receipt`` if mined."""

    def __init__(self, message: str, receipt: TxReceipt | None = None) -> None:
        super().__init__(message)
        self.receipt = receipt


@dataclass(frozen=True)
class SwapResult:
    """What a swap did: amounts in base units (wei / token units) and gas."""

    amount_in: int
    amount_out: int
    gas_used: int
    receipt: TxReceipt


@dataclass(frozen=True)
class LiquidityResult:
    """The pair that holds the liquidity and the LP tokens minted to the provider."""

    pair: str
    liquidity: int
    receipt: TxReceipt


def sender_for(w3: Web3, signer: Signer) -> Sender:
    """Reuse a caller's Sender (its local nonce) or wrap a bare LocalAccount."""
    if isinstance(signer, Sender):
        return signer
    return Sender(w3, signer, w3.eth.chain_id)


def router_at(w3: Web3, router: str) -> Contract:
    return w3.eth.contract(address=to_checksum_address(router), abi=abi("UniswapV2Router02"))


def token_at(w3: Web3, token: str) -> Contract:
    return w3.eth.contract(address=to_checksum_address(token), abi=abi("ERC20"))


def pair_address(w3: Web3, router: str, token: str) -> str:
    """The token/WETH pair on the router's factory (zero address if none yet)."""
    r = router_at(w3, router)
    factory = w3.eth.contract(address=r.functions.factory().call(), abi=abi("UniswapV2Factory"))
    return str(
        factory.functions.getPair(to_checksum_address(token), r.functions.WETH().call()).call()
    )


def token_reserves(w3: Web3, pair: str, token: str) -> tuple[int, int]:
    """(token reserve, WETH reserve) of a token/WETH pair."""
    p = pair_at(w3, pair)
    r0, r1, _ = p.functions.getReserves().call()
    if str(p.functions.token0().call()).lower() == token.lower():
        return int(r0), int(r1)
    return int(r1), int(r0)


# Headroom over eth_estimateGas. Why so much: a Uniswap pair's _update writes its TWAP
# accumulators (two cold SSTOREs, ~44k gas) only when the block timestamp moved since the
# last trade, so an estimate taken in the same second as the last trade can be 44k short.
GAS_HEADROOM = 80_000


def transact(sender: Sender, fn: Any, *, value: int = 0, gas: int | None = None) -> TxReceipt:
    """Send ``fn`` (estimated with headroom unless ``gas`` is given) and wait for the receipt.

    Raises SwapFailed when the estimate reverts or the mined transaction has status 0.
    """
    try:
        if gas is None:
            estimate = fn.estimate_gas({"from": sender.account.address, "value": value})
            gas = int(estimate) * 12 // 10 + GAS_HEADROOM
        return sender.transact(fn, value=value, gas=gas)
    except ContractLogicError as exc:
        raise SwapFailed(f"{fn.fn_name} reverted at estimate: {exc}") from exc
    except TxReverted as exc:
        raise SwapFailed(f"{fn.fn_name} reverted on chain: {exc}", exc.receipt) from exc


def ensure_allowance(w3: Web3, signer: Signer, token: str, spender: str, amount: int) -> None:
    """Approve ``spender`` for MAX_UINT when the current allowance is below ``amount``."""
    sender = sender_for(w3, signer)
    t = token_at(w3, token)
    current = t.functions.allowance(sender.account.address, to_checksum_address(spender)).call()
    if int(current) < amount:
        transact(sender, t.functions.approve(to_checksum_address(spender), MAX_UINT))


def add_liquidity_eth(
    w3: Web3, signer: Signer, router: str, token: str, token_amount: int, eth_amount: int
) -> LiquidityResult:
    """Seed (or top up) the token/WETH pool; LP tokens go to the signer."""
    sender = sender_for(w3, signer)
    ensure_allowance(w3, sender, token, router, token_amount)
    fn = router_at(w3, router).functions.addLiquidityETH(
        to_checksum_address(token), token_amount, 0, 0, sender.account.address, DEADLINE
    )
    receipt = transact(sender, fn, value=eth_amount)
    pair = pair_address(w3, router, token)
    liquidity = int(pair_at(w3, pair).functions.balanceOf(sender.account.address).call())
    return LiquidityResult(pair=pair, liquidity=liquidity, receipt=receipt)


def buy(
    w3: Web3,
    signer: Signer,
    router: str,
    token: str,
    eth_in: int,
    *,
    min_out: int = 0,
    gas: int | None = None,
) -> SwapResult:
    """Swap ``eth_in`` wei for the token; amount_out is the buyer's balanceOf increase."""
    sender = sender_for(w3, signer)
    r = router_at(w3, router)
    t = token_at(w3, token)
    me = sender.account.address
    before = int(t.functions.balanceOf(me).call())
    fn = r.functions.swapExactETHForTokensSupportingFeeOnTransferTokens(
        min_out, [r.functions.WETH().call(), to_checksum_address(token)], me, DEADLINE
    )
    receipt = transact(sender, fn, value=eth_in, gas=gas)
    after = int(t.functions.balanceOf(me).call())
    return SwapResult(eth_in, after - before, int(receipt["gasUsed"]), receipt)


def sell(
    w3: Web3,
    signer: Signer,
    router: str,
    token: str,
    amount: int,
    *,
    min_out: int = 0,
    gas: int | None = None,
) -> SwapResult:
    """Swap ``amount`` tokens for ETH (approving the router first if needed).

    amount_out is the WETH the router unwrapped for this swap (from WETH's Withdrawal log),
    so it is exact even if the seller's ETH balance moves for other reasons.
    """
    sender = sender_for(w3, signer)
    ensure_allowance(w3, sender, token, router, amount)
    r = router_at(w3, router)
    weth = str(r.functions.WETH().call())
    fn = r.functions.swapExactTokensForETHSupportingFeeOnTransferTokens(
        amount, min_out, [to_checksum_address(token), weth], sender.account.address, DEADLINE
    )
    receipt = transact(sender, fn, gas=gas)
    eth_out = 0
    for entry in receipt["logs"]:
        topics = entry["topics"]
        if (
            str(entry["address"]).lower() == weth.lower()
            and topics
            and bytes(topics[0]) == _WITHDRAWAL_TOPIC
        ):
            eth_out += int.from_bytes(bytes(entry["data"])[-32:], "big")
    return SwapResult(amount, eth_out, int(receipt["gasUsed"]), receipt)


def remove_all_liquidity_eth(w3: Web3, signer: Signer, router: str, token: str) -> int:
    """Burn all the signer's LP tokens through removeLiquidityETH; returns LP removed."""
    sender = sender_for(w3, signer)
    pair = pair_address(w3, router, token)
    lp = int(pair_at(w3, pair).functions.balanceOf(sender.account.address).call())
    if lp == 0:
        return 0
    ensure_allowance(w3, sender, pair, router, lp)
    fn = router_at(w3, router).functions.removeLiquidityETHSupportingFeeOnTransferTokens(
        to_checksum_address(token), lp, 0, 0, sender.account.address, DEADLINE
    )
    transact(sender, fn)
    return lp


def burn_lp(w3: Web3, signer: Signer, pair: str) -> int:
    """Send all the signer's LP tokens to 0x…dEaD (the 'LP burned' promise); returns amount."""
    sender = sender_for(w3, signer)
    p = pair_at(w3, pair)
    lp = int(p.functions.balanceOf(sender.account.address).call())
    if lp:
        transact(sender, p.functions.transfer(to_checksum_address(DEAD), lp))
    return lp
