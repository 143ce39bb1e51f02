"""The devnet's fixed infrastructure: WETH9, two Uniswap V2 venues, stable quote assets.

Why two venues: discovery, routing and arbitrage code must handle several factories; the
second venue is byte-identical Uniswap V2 under the name ``sushiswap`` (as on mainnet).
The stable quote assets (``quotes``, see :mod:`claudedex.devnet.quotes`) are added by
``with_quote_assets`` after the shape's deployment, so every shape gets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from web3 import Web3

from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.quotes import QuoteAsset, deploy_quote_assets
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import VENUE_NAMES, Venue, deploy_uniswap, deploy_weth


@dataclass(frozen=True)
class DevnetDeployment:
    """Addresses of WETH and each venue, and the account that deployed them."""

    chain_id: int
    weth: str
    venues: dict[str, Venue]
    deployer: DevAccount
    block: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    quotes: tuple[QuoteAsset, ...] = ()  # stable quote assets with deep WETH pools

    def venue(self, name: str) -> Venue:
        return self.venues[name]

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "weth": self.weth,
            "venues": {name: v.to_json() for name, v in self.venues.items()},
            "deployer": self.deployer.address,
            "block": self.block,
            "quotes": [q.to_json() for q in self.quotes],
        }


def deploy_devnet(
    w3: Web3, deployer: DevAccount, venue_names: tuple[str, ...] = VENUE_NAMES
) -> DevnetDeployment:
    """Deploy WETH9 once and one factory + Router02 per venue name."""
    sender = Sender.from_dev(w3, deployer)
    weth = deploy_weth(w3, sender)
    venues = {name: deploy_uniswap(w3, sender, weth, name=name) for name in venue_names}
    return DevnetDeployment(
        chain_id=sender.chain_id,
        weth=weth,
        venues=venues,
        deployer=deployer,
        block=w3.eth.block_number,
    )


def with_quote_assets(w3: Web3, deployment: DevnetDeployment) -> DevnetDeployment:
    """The deployment plus a USDC-like and a USDT-like asset with deep pools on each venue."""
    quotes = deploy_quote_assets(w3, deployment.deployer, deployment.venues, deployment.weth)
    return replace(deployment, quotes=quotes, block=w3.eth.block_number)
