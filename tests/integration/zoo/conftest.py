"""One real anvil (WETH + Uniswap V2) shared by all zoo integration tests in the session."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3


@dataclass
class ZooChain:
    anvil: Any
    w3: Web3
    deployment: Any
    owner: LocalAccount
    traders: list[LocalAccount]

    @property
    def router(self) -> str:
        return str(self.deployment.venues["uniswap"].router)


SUPPLY = 1_000_000 * 10**18
POOL_TOKENS = 500_000 * 10**18
POOL_ETH = 10 * 10**18


@pytest.fixture(scope="session")
def zoo_chain() -> Iterator[ZooChain]:
    from claudedex.devnet.testing import start_devnet_chain

    anvil, w3, deployment = start_devnet_chain(accounts=12)
    try:
        keys = [a.private_key for a in anvil.accounts]
        yield ZooChain(
            anvil=anvil,
            w3=w3,
            deployment=deployment,
            owner=Account.from_key(keys[1]),
            traders=[Account.from_key(k) for k in keys[2:]],
        )
    finally:
        anvil.stop()


@pytest.fixture(scope="session")
def launch_family(zoo_chain: ZooChain) -> Callable[..., tuple[Any, str]]:
    """Deploy a family from the shared owner and seed 500k tokens + 10 ETH on ``venue``;
    returns (ZooToken, pair address)."""
    from claudedex.devnet.zoo import deploy_family, launch

    counter = iter(range(10_000))

    def _launch(family: str, seed: int = 7, venue: str = "uniswap") -> tuple[Any, str]:
        n = next(counter)
        token = deploy_family(
            zoo_chain.w3,
            family,
            zoo_chain.owner,
            name=f"Zoo {family} {n}",
            symbol=f"Z{n}",
            supply=SUPPLY,
            rng=random.Random(seed),
            deployment=zoo_chain.deployment,
        )
        router = zoo_chain.deployment.venues[venue].router
        pair = launch(zoo_chain.w3, token, router, token_amount=POOL_TOKENS, eth_amount=POOL_ETH)
        return token, pair

    return _launch
