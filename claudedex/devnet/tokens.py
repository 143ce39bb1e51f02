"""Where the market gets its tokens: the zoo (honest and scam families) or a plain ERC20.

Why an adapter: the market only needs a family name, a scam flag, an address, an optional
post-liquidity hook and scheduled scam actions. The zoo owns the contracts and their
behaviours; ``PlainErc20Source`` (the periphery's test ERC20) lets the market run, and be
tested, without the zoo.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from eth_abi.abi import encode
from eth_account import Account
from web3 import Web3

from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.artifacts import load_artifact
from claudedex.devnet.deployment import DevnetDeployment
from claudedex.devnet.txs import Sender

RUG_KINDS = frozenset({"rug", "rug_pull", "liquidity_pull", "remove_liquidity", "pull_liquidity"})


@dataclass(frozen=True)
class Action:
    """A scam behaviour due ``after_blocks`` after launch; ``run`` None = market's own rug."""

    after_blocks: int
    kind: str
    run: Callable[[Web3], None] | None


@dataclass
class DeployedToken:
    address: str
    family: str
    scam: bool
    decimals: int = 18
    post_liquidity: Callable[[Web3, str, str], None] | None = None  # (w3, pair, router)
    actions_for: Callable[[str], list[Action]] | None = None  # pair -> scheduled actions
    actions: list[Action] = field(default_factory=list)
    handle: Any = None  # the zoo's own token object, kept for its hooks


class TokenSource(Protocol):
    def families(self) -> dict[str, bool]:
        """Family name -> scam flag."""
        ...

    def deploy(
        self,
        w3: Web3,
        family: str,
        owner: DevAccount,
        *,
        name: str,
        symbol: str,
        supply: int,
        rng: random.Random,
        deployment: DevnetDeployment,
    ) -> DeployedToken: ...


class PlainErc20Source:
    """One honest family, ``plain_erc20``: the Uniswap periphery's test ERC20."""

    def families(self) -> dict[str, bool]:
        return {"plain_erc20": False}

    def deploy(
        self,
        w3: Web3,
        family: str,
        owner: DevAccount,
        *,
        name: str,
        symbol: str,
        supply: int,
        rng: random.Random,
        deployment: DevnetDeployment,
    ) -> DeployedToken:
        sender = Sender.from_dev(w3, owner, deployment.chain_id)
        code = load_artifact("ERC20").bytecode
        address = sender.deploy(code, encode(["uint256"], [supply]), gas=2_000_000)
        return DeployedToken(Web3.to_checksum_address(address), family, scam=False)


class ZooSource:
    """The zoo's families through ``claudedex.devnet.zoo.deploy_family``."""

    def __init__(self) -> None:
        from claudedex.devnet import zoo

        self._zoo: Any = zoo  # imported late: the zoo loads its compiled artifacts

    def families(self) -> dict[str, bool]:
        return {name: bool(fam.scam) for name, fam in sorted(self._zoo.FAMILIES.items())}

    def deploy(
        self,
        w3: Web3,
        family: str,
        owner: DevAccount,
        *,
        name: str,
        symbol: str,
        supply: int,
        rng: random.Random,
        deployment: DevnetDeployment,
    ) -> DeployedToken:
        token = self._zoo.deploy_family(
            w3, family, Account.from_key(owner.private_key), name=name, symbol=symbol,
            supply=supply, rng=rng, deployment=deployment,
        )  # fmt: skip

        def actions_for(pair: str) -> list[Action]:
            return [
                Action(int(a.after_blocks), str(a.kind), a.run)
                for a in token.scam_actions(pair)
            ]

        return DeployedToken(
            address=Web3.to_checksum_address(token.address),
            family=family,
            scam=bool(self._zoo.FAMILIES[family].scam),
            post_liquidity=token.post_liquidity,
            actions_for=actions_for,
            handle=token,
        )


def default_source() -> TokenSource:
    """The zoo: a broken zoo must fail the devnet loudly, not fall back to plain tokens."""
    return ZooSource()
