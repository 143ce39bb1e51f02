"""Recipes for scams that fire on every trade from launch (no scheduled action needed)."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from claudedex.devnet.zoo.model import DeployContext
from claudedex.devnet.zoo.recipes_base import BaseRecipe, PairSetterRecipe


class Honeypot(BaseRecipe):
    """Constructor creates the pair on every venue; only fee-excluded addresses may sell."""

    family = "honeypot"
    contract_name = "RocketToken"

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [
            ctx.name,
            ctx.symbol,
            ctx.supply,
            [Web3.to_checksum_address(r) for r in ctx.routers],
        ]


class ExtremeSellTax(PairSetterRecipe):
    family = "extreme_sell_tax"
    contract_name = "MarketingFeeToken"
    setter = "setAutomatedMarketMakerPair"
    setter_extra_args = (True,)

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"sell_tax_percent": ctx.rng.randint(90, 99), "buy_tax_percent": 2}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [ctx.name, ctx.symbol, ctx.supply, extra["sell_tax_percent"]]


class MaxSellTrap(PairSetterRecipe):
    family = "max_sell_trap"
    contract_name = "AntiWhaleToken"
    setter = "configureMarket"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"max_sell": ctx.supply // 100_000}


class Cooldown(PairSetterRecipe):
    family = "cooldown"
    contract_name = "CooldownToken"
    setter = "enableTrading"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"cooldown_seconds": 7 * 24 * 3600}


class LyingBalance(PairSetterRecipe):
    family = "lying_balance"
    contract_name = "ReflectionToken"
    setter = "setLiquidityPool"


class GasTrap(PairSetterRecipe):
    family = "gas_trap"
    contract_name = "DividendSnapshotToken"
    setter = "setPool"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"snapshot_slots": 320}


TRAP_RECIPES: tuple[type[BaseRecipe], ...] = (
    Honeypot,
    ExtremeSellTax,
    MaxSellTrap,
    Cooldown,
    LyingBalance,
    GasTrap,
)
