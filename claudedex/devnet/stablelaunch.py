"""Launches whose deep pool is against a stable quote asset, with a dust WETH pool beside it.

Why: that is the field case routing and sizing must handle (a 0.1 ETH buy of such a token
straight through its WETH pool moved the price 90 %). The dev buys the stable side with
the launch's ETH on the same venue, seeds ``TOKEN/USDC`` with most of the tokens and
``TOKEN/WETH`` with ``THIN_POOL_WEI`` at the same price, so a bot that quotes only WETH
pools sees a dust pool, and one that routes through the stable sees the real market.
Traders trade the token through the stable (``WETH -> USDC -> TOKEN``) and the price book
values the stable side in native units through the stable's own WETH pool.
"""

from __future__ import annotations

from web3 import Web3
from web3.types import TxReceipt

from claudedex.devnet.deployment import DevnetDeployment
from claudedex.devnet.launches import LaunchPlan
from claudedex.devnet.quotes import QuoteAsset, stable_contract
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import Venue, factory_contract, pair_contract, router_contract
from claudedex.errors import DevnetError

DEADLINE = 2**40
MAX_UINT = 2**256 - 1
THIN_POOL_WEI = 10**16  # the dust WETH pool: 0.01 ETH


def quote_asset(deployment: DevnetDeployment, symbol: str) -> QuoteAsset:
    """The deployment's quote asset named ``symbol``; DevnetError if there is none."""
    for asset in deployment.quotes:
        if asset.symbol == symbol:
            return asset
    raise DevnetError(f"the devnet has no quote asset {symbol}")


def launch_on_stable(w3: Web3, dev: Sender, venue: Venue, deployment: DevnetDeployment,
                     plan: LaunchPlan, token: str) -> tuple[TxReceipt, str, str]:
    """Seed the deep stable pool and the dust WETH pool (the token already approved to the
    venue's router); returns (the deep pool's liquidity receipt, its pair, the stable)."""
    asset = quote_asset(deployment, plan.quote)
    router = router_contract(w3, venue)
    stable = stable_contract(w3, asset.address)
    amount = plan.supply * plan.lp_share_bps // 10_000
    thin_tokens = amount * THIN_POOL_WEI // plan.liquidity_eth
    before = stable.functions.balanceOf(dev.address).call()
    dev.transact(router.functions.swapExactETHForTokens(
        0, [deployment.weth, asset.address], dev.address, DEADLINE),
        value=plan.liquidity_eth, gas=300_000)
    got = stable.functions.balanceOf(dev.address).call() - before
    dev.transact(stable.functions.approve(router.address, MAX_UINT), gas=100_000)
    receipt = dev.transact(router.functions.addLiquidity(
        token, asset.address, amount - thin_tokens, got, 0, 0, dev.address, DEADLINE),
        gas=5_000_000)
    dev.transact(router.functions.addLiquidityETH(
        token, thin_tokens, 0, 0, dev.address, DEADLINE), value=THIN_POOL_WEI, gas=5_000_000)
    pair = factory_contract(w3, venue).functions.getPair(token, asset.address).call()
    return receipt, str(pair), asset.address


def native_value(w3: Web3, venue: Venue, weth: str, quote: str, amount: int) -> int:
    """``amount`` of ``quote`` in wei at the mid price of the venue's quote/WETH pool."""
    pair = factory_contract(w3, venue).functions.getPair(quote, weth).call()
    r0, r1, _ = pair_contract(w3, pair).functions.getReserves().call()
    r_quote, r_weth = (r0, r1) if int(quote, 16) < int(weth, 16) else (r1, r0)
    return amount * r_weth // r_quote if r_quote > 0 else 0


def trade_path(weth: str, quote: str, token: str, *, buy: bool) -> list[str]:
    """The Router02 path a trader uses: through the stable when the token's pool is one."""
    mid = [str(Web3.to_checksum_address(quote))] if quote else []
    path = [str(Web3.to_checksum_address(weth)), *mid, str(Web3.to_checksum_address(token))]
    return path if buy else path[::-1]
