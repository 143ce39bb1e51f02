"""Recipes for families that fool simulators or wait: they only bite a real wallet, or later.

Why their own file: each of these behaves normally for a contract-based probe at launch
(gas price 0, a seller with code, sells right after the buy) and differently for a wallet
or after time passes, so they exist to test the victim's-transaction and held-into-the-
future legs of the safety checks (issue 14). ``honest_cooldown`` is the honest control: a
short restriction that ends by itself.
"""

from __future__ import annotations

from typing import Any

from web3 import Web3

from claudedex.devnet.zoo.model import DeployContext, ZooToken
from claudedex.devnet.zoo.recipes_base import BaseRecipe, PairSetterRecipe
from claudedex.devnet.zoo.trading import burn_lp


class GasPriceGate(PairSetterRecipe):
    family = "gasprice_gate"
    contract_name = "FlashGuardToken"
    setter = "setMarket"


class CodelessSellerGate(PairSetterRecipe):
    family = "codeless_seller_gate"
    contract_name = "SmartVaultToken"
    setter = "registerPool"


class ContractRecipientBlock(PairSetterRecipe):
    family = "contract_recipient_block"
    contract_name = "NoBotsToken"
    setter = "launch"


class BlockTimeBomb(PairSetterRecipe):
    family = "block_time_bomb"
    contract_name = "SeasonPassToken"
    setter = "startSeason"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"bomb_after_blocks": 900}


class TimestampTaxRamp(PairSetterRecipe):
    """Sell tax 2 % at launch, 90 % from ``ramp_after_s`` (2 to 12 hours) after opening."""

    family = "timestamp_tax_ramp"
    contract_name = "SlowBurnToken"
    setter = "openTrading"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"ramp_after_s": ctx.rng.randint(2, 12) * 3600, "late_sell_tax_bps": 9000}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [ctx.name, ctx.symbol, ctx.supply, extra["ramp_after_s"]]


class HonestCooldown(BaseRecipe):
    """No owner; a constant 30 s sell cooldown after each buy; pairs fixed at construction
    on every venue; the LP is burned after launch."""

    family = "honest_cooldown"
    contract_name = "CalmLaunchToken"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"cooldown_seconds": 30}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [ctx.name, ctx.symbol, ctx.supply,
                [Web3.to_checksum_address(r) for r in ctx.routers]]

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)


VICTIM_RECIPES: tuple[type[BaseRecipe], ...] = (
    GasPriceGate,
    CodelessSellerGate,
    ContractRecipientBlock,
    BlockTimeBomb,
    TimestampTaxRamp,
    HonestCooldown,
)
