"""Recipes for scams that launch clean and rug on a schedule (ScamAction)."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from claudedex.devnet.zoo.artifacts_loader import zoo_artifact
from claudedex.devnet.zoo.model import DeployContext, ScamAction, ZooToken
from claudedex.devnet.zoo.recipes_base import (
    BaseRecipe,
    PairSetterRecipe,
    call_as,
    deploy_artifact,
    derived_account,
    fund,
)
from claudedex.devnet.zoo.trading import remove_all_liquidity_eth, sell, token_reserves

_TRANSFER_TOPIC = Web3.keccak(text="Transfer(address,address,uint256)")


def _action(token: ZooToken, kind: str, description: str, run: Any) -> list[ScamAction]:
    return [ScamAction(int(token.extra["scam_after_blocks"]), kind, description, run)]


def recent_buyers(w3: Web3, token: ZooToken, pair: str) -> list[str]:
    """Addresses that received tokens from the pair since launch (i.e. bought)."""
    logs = w3.eth.get_logs(
        {
            "address": Web3.to_checksum_address(token.address),
            "fromBlock": int(token.extra.get("launch_block", 0)),
            "toBlock": "latest",
            "topics": [_TRANSFER_TOPIC, "0x" + "00" * 12 + pair[2:].lower()],
        }
    )
    skip = {token.owner.address.lower(), pair.lower(), str(token.extra.get("router", "")).lower()}
    seen: dict[str, None] = {}
    for entry in logs:
        to = Web3.to_checksum_address(bytes(entry["topics"][2])[-20:])
        if to.lower() not in skip:
            seen[to] = None
    return list(seen)


class OwnerPause(BaseRecipe):
    family = "owner_pause"
    contract_name = "LaunchGateToken"

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "setTrading", True)

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            call_as(w3, token.owner, token, "setTrading", False)

        return _action(token, "pause", "owner calls setTrading(false): nobody can trade", run)


class OwnerBlacklist(BaseRecipe):
    family = "owner_blacklist"
    contract_name = "SniperGuardToken"

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            buyers = recent_buyers(w3, token, pair)
            token.extra.setdefault("blacklisted", []).extend(buyers)
            if buyers:
                call_as(w3, token.owner, token, "setBots", buyers, True)

        return _action(token, "blacklist", "owner setBots(every buyer so far, true)", run)


class HiddenMint(BaseRecipe):
    family = "hidden_mint"
    contract_name = "StakingRewardsToken"

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            reserve, _ = token_reserves(w3, pair, token.address)
            minted = reserve * 100
            call_as(w3, token.owner, token, "syncRewards", minted)
            token.extra["minted"] = minted
            sell(w3, token.owner, token.extra["router"], token.address, minted)

        return _action(token, "mint_dump", "owner mints 100x the pool silently and dumps it", run)


class FakeRenounce(BaseRecipe):
    """The constructor's 'tax wallet' is a second account that keeps admin powers."""

    family = "fake_renounce"
    contract_name = "RenouncedFeeToken"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        admin = derived_account(ctx)
        fund(ctx.w3, ctx.owner, admin.address, Web3.to_wei(1, "ether"))
        self._pending_admin = admin
        return {"hidden_admin": admin.address}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [ctx.name, ctx.symbol, ctx.supply, extra["hidden_admin"]]

    def deploy(self, ctx: DeployContext) -> ZooToken:
        token = super().deploy(ctx)
        token.signers["hidden_admin"] = self._pending_admin
        return token

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "setMarketPair", pair)
        call_as(w3, token.owner, token, "renounceOwnership")

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        admin: LocalAccount = token.signers["hidden_admin"]

        def run(w3: Web3) -> None:
            call_as(w3, admin, token, "updateFees", 1, 99)

        return _action(token, "hidden_admin_fee", "hidden admin sets the sell fee to 99 %", run)


class ProxySwap(BaseRecipe):
    """EIP-1967 proxy over VaultTokenV1; the owner (proxy admin) upgrades to VaultTokenV2."""

    family = "proxy_swap"
    contract_name = "ZooProxy"

    def deploy(self, ctx: DeployContext) -> ZooToken:
        v1, v2, proxy = (zoo_artifact(n) for n in ("VaultTokenV1", "VaultTokenV2", "ZooProxy"))
        impl_v1 = deploy_artifact(ctx.w3, ctx.owner, v1, [])
        impl_v2 = deploy_artifact(ctx.w3, ctx.owner, v2, [])
        init = ctx.w3.eth.contract(abi=v1.abi).encode_abi(
            "initialize", [ctx.name, ctx.symbol, ctx.supply, ctx.owner.address]
        )
        address = deploy_artifact(ctx.w3, ctx.owner, proxy, [impl_v1, bytes.fromhex(init[2:])])
        abi: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for item in [*v1.abi, *v2.abi, *proxy.abi]:
            key = (str(item.get("type")), str(item.get("name", "")))
            if item.get("type") in ("constructor", "fallback", "receive") or key in seen:
                continue
            seen.add(key)
            abi.append(item)
        extra: dict[str, Any] = {
            "contract": "ZooProxy",
            "impl_v1": impl_v1,
            "impl_v2": impl_v2,
            "scam_after_blocks": ctx.rng.randint(*self.scam_window),
        }
        return ZooToken(self.family, address, ctx.owner, abi, extra, recipe=self)

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, "setPair", pair)

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            call_as(w3, token.owner, token, "upgradeTo", token.extra["impl_v2"])

        return _action(token, "proxy_upgrade", "admin upgrades the proxy to a sell-blocker", run)


class RugPull(BaseRecipe):
    family = "rug_pull"
    contract_name = "FairLaunchToken"

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            removed = remove_all_liquidity_eth(
                w3, token.owner, token.extra["router"], token.address
            )
            token.extra["lp_removed"] = removed

        return _action(
            token, "rug_pull", "deployer removes all liquidity (removeLiquidityETH)", run
        )


class TaxHike(PairSetterRecipe):
    family = "tax_hike"
    contract_name = "ReflexTaxToken"
    setter = "setPair"

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        return {"tax_bps_before": 300, "tax_bps_after": 9900}

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        def run(w3: Web3) -> None:
            bps = int(token.extra["tax_bps_after"])
            call_as(w3, token.owner, token, "updateTaxes", bps, bps)

        return _action(token, "tax_hike", "owner raises buy/sell tax from 3 % to 99 %", run)


RUG_RECIPES: tuple[type[BaseRecipe], ...] = (
    OwnerPause,
    OwnerBlacklist,
    HiddenMint,
    FakeRenounce,
    ProxySwap,
    RugPull,
    TaxHike,
)
