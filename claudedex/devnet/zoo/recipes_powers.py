"""Recipes for scams hidden in privileged powers the round trip alone cannot see.

Why a family each: every one of them sells fine for a buyer at launch. The harm comes from
a call (a phantom credit, a sweep of a holder, an upgrade), from a wallet that may move what
it does not have, from a contract outside the token, from a role stored deep in storage, or
from LP "locked" in a contract its owner can empty. Safety v2 must find each one.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from claudedex.devnet.uniswap import pair_contract as pair_at
from claudedex.devnet.zoo.artifacts_loader import zoo_artifact
from claudedex.devnet.zoo.model import DeployContext, ScamAction, ZooToken
from claudedex.devnet.zoo.recipes_base import (
    BaseRecipe,
    call_as,
    deploy_artifact,
    derived_account,
    fund,
)
from claudedex.devnet.zoo.recipes_rugs import recent_buyers
from claudedex.devnet.zoo.trading import (
    burn_lp,
    remove_all_liquidity_eth,
    sell,
    sender_for,
    token_reserves,
    transact,
)

YEAR = 365 * 24 * 3600


def _action(token: ZooToken, kind: str, description: str, run: Any) -> list[ScamAction]:
    return [ScamAction(int(token.extra["scam_after_blocks"]), kind, description, run)]


class _SignerRecipe(BaseRecipe):
    """Families with a second, funded wallet (kept in ``token.signers[role]``)."""

    role = ""

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        wallet = derived_account(ctx)
        fund(ctx.w3, ctx.owner, wallet.address, Web3.to_wei(1, "ether"))
        self._wallet = wallet
        return {self.role: wallet.address}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [ctx.name, ctx.symbol, ctx.supply, extra[self.role]]

    def deploy(self, ctx: DeployContext) -> ZooToken:
        token = super().deploy(ctx)
        token.signers[self.role] = self._wallet
        return token


class HiddenCredit(BaseRecipe):
    """settleLoyalty credits the owner with no supply change and no event; LP burned."""

    family = "hidden_credit"
    contract_name = "LoyaltyPointsToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            reserve, _ = token_reserves(w3, pair, token.address)
            credited = reserve * 100
            call_as(w3, token.owner, token, "settleLoyalty", credited)
            token.extra["credited"] = credited
            sell(w3, token.owner, token.extra["router"], token.address, credited)

        return _action(token, "credit_dump", "owner credits itself 100x the pool and dumps", run)


class UnbackedSell(_SignerRecipe):
    """The 'marketing' wallet is never debited; ownership renounced, LP burned."""

    family = "unbacked_sell"
    contract_name = "MarketingExemptToken"
    role = "marketing"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)
        call_as(w3, token.owner, token, "renounceOwnership")

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        wallet: LocalAccount = token.signers[self.role]

        def run(w3: Web3) -> None:
            reserve, _ = token_reserves(w3, pair, token.address)
            token.extra["unbacked_sold"] = reserve * 100
            sell(w3, wallet, token.extra["router"], token.address, reserve * 100)

        return _action(token, "unbacked_dump", "marketing wallet sells 100x the pool it never "
                       "held", run)


class ExternalOracle(BaseRecipe):
    """Transfers ask a TransferPolicy contract the deployer owns; the token is renounced."""

    family = "external_oracle"
    contract_name = "PolicyBoundToken"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        policy = deploy_artifact(ctx.w3, ctx.owner, zoo_artifact("TransferPolicy"), [])
        return {"policy": policy}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [ctx.name, ctx.symbol, ctx.supply, extra["policy"]]

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)
        call_as(w3, token.owner, token, "setPairAndRenounce", pair)

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            policy = w3.eth.contract(address=Web3.to_checksum_address(token.extra["policy"]),
                                     abi=zoo_artifact("TransferPolicy").abi)
            transact(sender_for(w3, token.owner), policy.functions.setDefaultCap(0))

        return _action(token, "policy_freeze", "policy owner caps every transfer at 0", run)


class WipeHolder(BaseRecipe):
    """recoverFrom(holder) sweeps a holder's whole balance to the owner; LP burned."""

    family = "wipe_holder"
    contract_name = "ComplianceToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            buyers = recent_buyers(w3, token, pair)
            token.extra["wiped"] = buyers
            for buyer in buyers:
                call_as(w3, token.owner, token, "recoverFrom", buyer)

        return _action(token, "wipe", "owner sweeps every buyer's balance to itself", run)


class UupsUpgrade(BaseRecipe):
    """UUPS proxy over UupsTokenV1; the owner upgrades to V2, which blocks every sell."""

    family = "uups_upgrade"
    contract_name = "UupsProxy"

    def deploy(self, ctx: DeployContext) -> ZooToken:
        v1, v2, proxy = (zoo_artifact(n) for n in ("UupsTokenV1", "UupsTokenV2", "UupsProxy"))
        impl_v1 = deploy_artifact(ctx.w3, ctx.owner, v1, [])
        impl_v2 = deploy_artifact(ctx.w3, ctx.owner, v2, [])
        init = ctx.w3.eth.contract(abi=v1.abi).encode_abi(
            "initialize", [ctx.name, ctx.symbol, ctx.supply, ctx.owner.address])
        address = deploy_artifact(ctx.w3, ctx.owner, proxy, [impl_v1, bytes.fromhex(init[2:])])
        abi = [i for i in v1.abi if i.get("type") not in ("constructor", "fallback")]
        extra: dict[str, Any] = {"contract": "UupsProxy", "impl_v1": impl_v1,
                                 "impl_v2": impl_v2,
                                 "scam_after_blocks": ctx.rng.randint(*self.scam_window)}
        return ZooToken(self.family, address, ctx.owner, abi, extra, recipe=self)

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "setPair", pair)
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            call_as(w3, token.owner, token, "upgradeToAndCall", token.extra["impl_v2"], b"")

        return _action(token, "uups_upgrade", "owner upgrades to a sell-blocking V2", run)


def lock_lp(w3: Web3, owner: LocalAccount, pair: str, *, owner_override: bool,
            unlock_at: int) -> str:
    """Deploy a LiquidityLocker from ``owner`` and lock all of its LP; returns the locker."""
    art = zoo_artifact("LiquidityLocker")
    locker = deploy_artifact(w3, owner, art, [owner_override])
    sender = sender_for(w3, owner)
    lp = pair_at(w3, pair)
    amount = int(lp.functions.balanceOf(owner.address).call())
    transact(sender, lp.functions.approve(locker, amount))
    contract = w3.eth.contract(address=Web3.to_checksum_address(locker), abi=art.abi)
    transact(sender, contract.functions.lock(Web3.to_checksum_address(pair), amount,
                                             unlock_at))
    return locker


class LpLocker(BaseRecipe):
    """LP 'locked for a year' in a locker whose owner may withdraw at any time."""

    family = "lp_locker"
    contract_name = "LockedLiquidityToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "renounceOwnership")
        now = int(w3.eth.get_block("latest")["timestamp"])
        token.extra["locker"] = lock_lp(w3, token.owner, pair, owner_override=True,
                                        unlock_at=now + YEAR)

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            locker = w3.eth.contract(address=Web3.to_checksum_address(token.extra["locker"]),
                                     abi=zoo_artifact("LiquidityLocker").abi)
            transact(sender_for(w3, token.owner), locker.functions.withdraw(0))
            token.extra["lp_removed"] = remove_all_liquidity_eth(
                w3, token.owner, token.extra["router"], token.address)

        return _action(token, "locker_rug", "owner withdraws the 'locked' LP and removes it",
                       run)


class DeepSlotFee(_SignerRecipe):
    """Renounced; a fee manager kept in storage slot 17 can raise the fees to 99 %."""

    family = "deep_slot_fee"
    contract_name = "DeepConfigToken"
    role = "fee_manager"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "setPair", pair)
        token.extra["lp_burned"] = burn_lp(w3, token.owner, pair)
        call_as(w3, token.owner, token, "renounceOwnership")

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        manager: LocalAccount = token.signers[self.role]

        def run(w3: Web3) -> None:
            call_as(w3, manager, token, "setFees", 9900, 9900)

        return _action(token, "fee_manager_hike", "slot-17 fee manager sets 99 % fees", run)


POWER_RECIPES: tuple[type[BaseRecipe], ...] = (
    HiddenCredit, UnbackedSell, ExternalOracle, WipeHolder, UupsUpgrade, LpLocker, DeepSlotFee,
)
