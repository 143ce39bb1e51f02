"""Value types of the zoo: a deployed token, its scheduled scam actions, and what it needs.

Why Protocols for the deployment: the zoo only needs WETH and a router per venue, so it
accepts anything shaped like the chain helper's DevnetDeployment without importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract


class VenueLike(Protocol):
    """A Uniswap V2 venue: factory and Router02 addresses."""

    @property
    def factory(self) -> str: ...

    @property
    def router(self) -> str: ...


class DeploymentLike(Protocol):
    """What deploy_family reads from a devnet deployment."""

    @property
    def weth(self) -> str: ...

    @property
    def venues(self) -> Mapping[str, VenueLike]: ...


@dataclass(frozen=True)
class ScamAction:
    """A scheduled rug: run it ``after_blocks`` blocks after post_liquidity.

    ``kind`` is one of: pause, blacklist, mint_dump, hidden_admin_fee, proxy_upgrade,
    rug_pull, tax_hike. ``run`` sends the real signed transactions (from the token's owner or
    hidden admin) and returns when they are mined.
    """

    after_blocks: int
    kind: str
    description: str
    run: Callable[[Web3], None]


class Recipe(Protocol):
    """How one family is deployed, launched and rugged (see recipes_*.py)."""

    family: str

    def deploy(self, ctx: DeployContext) -> ZooToken: ...

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None: ...

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]: ...


@dataclass(frozen=True)
class DeployContext:
    """Everything a recipe needs to deploy one token."""

    w3: Web3
    owner: LocalAccount
    name: str
    symbol: str
    supply: int
    rng: Any  # random.Random (Any: recipes only call randint/getrandbits)
    weth: str
    router: str  # the chosen venue's Router02
    factory: str
    routers: tuple[str, ...] = ()  # every venue's Router02, chosen venue first


@dataclass
class ZooToken:
    """A deployed zoo token.

    ``extra`` holds JSON-friendly family facts (tax_bps, impl addresses, pair, launch_block);
    ``signers`` holds extra keys the family uses besides ``owner`` (fake_renounce:
    ``hidden_admin``).
    """

    family: str
    address: str
    owner: LocalAccount
    abi: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)
    signers: dict[str, LocalAccount] = field(default_factory=dict, repr=False)
    recipe: Recipe | None = field(default=None, repr=False, compare=False)

    def contract(self, w3: Web3) -> Contract:
        """The token as a web3 contract with this family's full ABI."""
        return w3.eth.contract(address=Web3.to_checksum_address(self.address), abi=self.abi)

    def post_liquidity(self, w3: Web3, pair_address: str, router: Any) -> None:
        """Call once, right after the first addLiquidityETH: sets the pair, opens trading,
        renounces / burns LP where the family does. ``router``: address or Contract."""
        router_addr = str(getattr(router, "address", router))
        self.extra["pair"] = Web3.to_checksum_address(pair_address)
        self.extra["router"] = Web3.to_checksum_address(router_addr)
        if self.recipe is not None:
            self.recipe.post_liquidity(self, w3, self.extra["pair"], self.extra["router"])
        self.extra["launch_block"] = w3.eth.block_number

    def scam_actions(self, pair_address: str) -> list[ScamAction]:
        """The behaviours the market executes on schedule (empty for honest families and for
        scams that fire on every trade from launch)."""
        if self.recipe is None:
            return []
        return self.recipe.scam_actions(self, Web3.to_checksum_address(pair_address))
