"""deploy_family: one entry point that turns a family name into a deployed ZooToken."""

from __future__ import annotations

import random

from eth_account.signers.local import LocalAccount
from web3 import Web3

from claudedex.devnet.zoo.families import FAMILIES
from claudedex.devnet.zoo.model import DeployContext, DeploymentLike, ZooToken
from claudedex.devnet.zoo.recipes_base import BaseRecipe
from claudedex.devnet.zoo.recipes_honest import HONEST_RECIPES
from claudedex.devnet.zoo.recipes_powers import POWER_RECIPES
from claudedex.devnet.zoo.recipes_rugs import RUG_RECIPES
from claudedex.devnet.zoo.recipes_traps import TRAP_RECIPES
from claudedex.devnet.zoo.recipes_victim import VICTIM_RECIPES
from claudedex.devnet.zoo.trading import add_liquidity_eth
from claudedex.errors import DevnetError

RECIPES: dict[str, type[BaseRecipe]] = {
    r.family: r for r in (*HONEST_RECIPES, *TRAP_RECIPES, *RUG_RECIPES, *POWER_RECIPES,
                          *VICTIM_RECIPES)
}
assert set(RECIPES) == set(FAMILIES), "every family needs exactly one recipe"  # noqa: S101


def deploy_family(
    w3: Web3,
    family: str,
    owner: LocalAccount,
    *,
    name: str,
    symbol: str,
    supply: int,
    rng: random.Random,
    deployment: DeploymentLike,
    venue: str | None = None,
) -> ZooToken:
    """Deploy one token of ``family`` from ``owner`` (who receives the whole supply).

    ``supply`` is in base units (18 decimals). Families that create their pair in the
    constructor (honeypot, honest_fixed_tax) create it on every venue, so the token may be
    launched on any venue; ``venue`` only picks which one comes first (default: the first).
    Random choices (tax rates, action delay, derived accounts) come from ``rng`` so a seed
    reproduces a run. Raises DevnetError for an unknown family or a bad supply.
    """
    recipe_cls = RECIPES.get(family)
    if recipe_cls is None:
        raise DevnetError(f"unknown token family {family!r}; known: {', '.join(FAMILIES)}")
    if supply <= 0:
        raise DevnetError(f"supply must be positive, got {supply}")
    venues = deployment.venues
    if not venues:
        raise DevnetError("deployment has no venues")
    chosen = venues[venue] if venue is not None else next(iter(venues.values()))
    ctx = DeployContext(
        w3=w3,
        owner=owner,
        name=name,
        symbol=symbol,
        supply=supply,
        rng=rng,
        weth=Web3.to_checksum_address(deployment.weth),
        router=Web3.to_checksum_address(chosen.router),
        factory=Web3.to_checksum_address(chosen.factory),
        routers=tuple(
            Web3.to_checksum_address(v.router)
            for v in sorted(venues.values(), key=lambda v: v is not chosen)
        ),
    )
    token = recipe_cls().deploy(ctx)
    token.extra.setdefault("venue_router", ctx.router)
    return token


def launch(
    w3: Web3,
    token: ZooToken,
    router: str,
    *,
    token_amount: int,
    eth_amount: int,
) -> str:
    """Seed the token/WETH pool from the owner, then run the family's post_liquidity hook.

    Returns the pair address. This is the launch sequence the market and tests share; the
    scam-action clock (``after_blocks``) starts at ``token.extra['launch_block']``.
    """
    result = add_liquidity_eth(w3, token.owner, router, token.address, token_amount, eth_amount)
    token.extra["lp_minted"] = result.liquidity
    token.post_liquidity(w3, result.pair, router)
    return result.pair
