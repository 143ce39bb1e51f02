"""The devnet's other quote assets: a USDC-like and a USDT-like token with deep WETH pools.

Why: on mainnet a token's deep pool is often against a stablecoin while its WETH pool is
dust, and every buy must then route ``WETH -> USDC -> TOKEN`` (or refuse). Without stable
quote assets the devnet's ``route_via`` is empty and that path is never exercised. Both
tokens have 6 decimals (as on Ethereum, unlike the native asset's 18), and each venue gets
one pool per asset at the devnet's fixed ETH price (``pricebook.ETH_USD``), deep enough
that the extra hop costs its fee and almost no price impact.

The transactions are sent back to back and their receipts awaited once per stage, so the
devnet's time to ready barely moves (two deployments, then approvals and pools together).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eth_abi.abi import encode
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract

from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.pricebook import ETH_USD
from claudedex.devnet.stablecoin import stablecoin_artifact
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import Venue, router_contract
from claudedex.errors import DevnetError

E18 = 10**18
DEADLINE = 2**40
MAX_UINT = 2**256 - 1
POOL_ETH = 500 * E18  # native side of each stable/WETH pool, per venue
STABLES: tuple[tuple[str, str, int], ...] = (("USD Coin (devnet)", "USDC", 6),
                                             ("Tether USD (devnet)", "USDT", 6))


@dataclass(frozen=True)
class QuoteAsset:
    """One quote asset other than WETH: its symbol, address and decimals."""

    symbol: str
    address: str
    decimals: int

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "address": self.address, "decimals": self.decimals}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuoteAsset:
        return cls(str(data["symbol"]), Web3.to_checksum_address(str(data["address"])),
                   int(data["decimals"]))

    def units_for_eth(self, wei: int) -> int:
        """Base units worth ``wei`` at the devnet's fixed ETH price (floor)."""
        return usd_units(wei, self.decimals)


def usd_units(wei: int, decimals: int) -> int:
    """Base units of a ``decimals``-decimal dollar worth ``wei`` at ``ETH_USD`` (floor)."""
    return int(Decimal(wei) * ETH_USD * 10**decimals // E18)


def stable_contract(w3: Web3, address: str) -> Contract:
    abi, _ = stablecoin_artifact()
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)


def _data(fn: Any) -> bytes:
    return bytes(HexBytes(fn._encode_transaction_data()))


def deploy_quote_assets(
    w3: Web3, deployer: DevAccount, venues: dict[str, Venue], weth: str,
    *, pool_eth: int = POOL_ETH,
) -> tuple[QuoteAsset, ...]:
    """Deploy each stable (whole supply to ``deployer``) and a deep pool against WETH on
    every venue. Raises DevnetError (a reverted transaction) or a web3 error."""
    sender = Sender.from_dev(w3, deployer)
    _, bytecode = stablecoin_artifact()
    sizes = [pool_eth * len(venues)] * len(STABLES)
    deploys = []
    for (name, symbol, decimals), eth in zip(STABLES, sizes, strict=True):
        supply = 10 * usd_units(eth, decimals)  # the rest stays with the deployer
        args = encode(["string", "string", "uint8", "uint256"], [name, symbol, decimals, supply])
        deploys.append(sender.send_raw(to=None, data=bytecode + args, gas=1_500_000))
    assets = []
    for (_name, symbol, decimals), tx in zip(STABLES, deploys, strict=True):
        address = sender.wait(tx)["contractAddress"]
        if address is None:
            raise DevnetError(f"the {symbol} deployment created no contract")
        assets.append(QuoteAsset(symbol, Web3.to_checksum_address(address), decimals))
    sent = []
    for asset in assets:
        token = stable_contract(w3, asset.address)
        for venue in venues.values():
            router = router_contract(w3, venue)
            sent.append(sender.send_raw(to=asset.address, gas=100_000,
                                        data=_data(token.functions.approve(router.address,
                                                                           MAX_UINT))))
            units = asset.units_for_eth(pool_eth)
            fn = router.functions.addLiquidityETH(asset.address, units, units, pool_eth,
                                                  sender.address, DEADLINE)
            sent.append(sender.send_raw(to=router.address, data=_data(fn), value=pool_eth,
                                        gas=5_000_000))
    for tx in sent:
        sender.wait(tx)
    return tuple(assets)
