"""Recipes for the honest families: renounced + LP burned, harmless Ownable, fixed tax."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from claudedex.devnet.zoo.model import DeployContext, ZooToken
from claudedex.devnet.zoo.recipes_base import BaseRecipe, call_as, derived_account
from claudedex.devnet.zoo.trading import burn_lp


class HonestRenounced(BaseRecipe):
    """Renounce ownership and burn all LP tokens right after liquidity is added."""

    family = "honest_renounced"
    contract_name = "PlainToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "renounceOwnership")
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)


class HonestOwnable(BaseRecipe):
    """Keeps a harmless owner, but burns the LP: honest launches give up the liquidity."""

    family = "honest_ownable"
    contract_name = "CommunityToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)


class HonestFixedTax(BaseRecipe):
    """Immutable TAX_BPS in [100, 500] to a treasury; the constructor creates the pair on
    every venue of the deployment (so the market may launch it on any of them)."""

    family = "honest_fixed_tax"
    contract_name = "TreasuryTaxToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"tax_bps": ctx.rng.randint(100, 500), "treasury": derived_account(ctx).address}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [
            ctx.name,
            ctx.symbol,
            ctx.supply,
            [Web3.to_checksum_address(r) for r in ctx.routers],
            extra["treasury"],
            extra["tax_bps"],
        ]


class HonestReflection(BaseRecipe):
    """A reflection token done honestly: renounce and burn the LP after liquidity."""

    family = "honest_reflection"
    contract_name = "HolderRewardsToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "renounceOwnership")
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)


class HonestBlocklist(BaseRecipe):
    """Keeps a live owner with a blocklist; burns the LP and airdrops the rest of the supply
    to ``holders`` wallets (the owner keeps one share), so the token is widely held."""

    family = "honest_blocklist"
    contract_name = "MemeGuardToken"
    airdrop_wallets = 12

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"holders": [derived_account(ctx).address for _ in range(self.airdrop_wallets)]}

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)
        holders = list(token.extra["holders"])
        left = token.contract(w3).functions.balanceOf(token.owner.address).call()
        share = left // (len(holders) + 1)
        for holder in holders:
            call_as(w3, token.owner, token, "transfer", holder, share)


HONEST_RECIPES: tuple[type[BaseRecipe], ...] = (HonestRenounced, HonestOwnable, HonestFixedTax,
                                                HonestReflection, HonestBlocklist)
