"""The devnet's fixed infrastructure: WETH9 plus two Uniswap V2 venues.

Why two venues: discovery, routing and arbitrage code must handle several factories; the
second venue is byte-identical Uniswap V2 under the name ``sushiswap`` (as on mainnet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from claudedex.devnet.anvil import DevAccount
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

    def venue(self, name: str) -> Venue:
        return self.venues[name]

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "weth": self.weth,
            "venues": {name: v.to_json() for name, v in self.venues.items()},
            "deployer": self.deployer.address,
            "block": self.block,
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
