"""Shared plumbing for family recipes: deploy from a committed artifact, owner calls.

Why a base class: most families are "deploy with (name, symbol, supply [, ...]), then one
owner call after liquidity"; each recipe overrides only what differs.
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.types import TxReceipt

from claudedex.devnet.txs import TxReverted
from claudedex.devnet.zoo.artifacts_loader import ZooArtifact, zoo_artifact
from claudedex.devnet.zoo.model import DeployContext, ScamAction, ZooToken
from claudedex.devnet.zoo.trading import SwapFailed, sender_for, transact
from claudedex.errors import DevnetError


def _ctor_types(abi: list[dict[str, Any]]) -> list[str]:
    for item in abi:
        if item.get("type") == "constructor":
            return [str(i["type"]) for i in item.get("inputs", [])]
    return []


def deploy_artifact(w3: Web3, deployer: LocalAccount, art: ZooArtifact, args: list[Any]) -> str:
    """Deploy ``art`` with ABI-encoded constructor ``args``; returns the checksummed address."""
    ctor_args = encode(_ctor_types(art.abi), args)
    try:
        address = sender_for(w3, deployer).deploy(art.bytecode, ctor_args)
    except (ContractLogicError, TxReverted) as exc:
        raise DevnetError(f"deploying {art.name} failed: {exc}") from exc
    return to_checksum_address(address)


def call_as(
    w3: Web3, account: LocalAccount, token: ZooToken, fn_name: str, *args: Any
) -> TxReceipt:
    """Send ``fn_name(*args)`` on the token from ``account`` (owner, hidden admin...)."""
    fn = token.contract(w3).get_function_by_name(fn_name)(*args)
    try:
        return transact(sender_for(w3, account), fn)
    except SwapFailed as exc:
        raise DevnetError(f"{token.family}.{fn_name} failed: {exc}") from exc


def derived_account(ctx: DeployContext) -> LocalAccount:
    """A fresh account whose key comes from the run's rng (reproducible per seed)."""
    key = ctx.rng.getrandbits(256) % (2**256 - 2**32) + 1
    account: LocalAccount = Account.from_key(key.to_bytes(32, "big"))
    return account


def fund(w3: Web3, payer: LocalAccount, to: str, wei: int) -> None:
    """Send plain ETH so a helper account can pay gas."""
    sender = sender_for(w3, payer)
    sender.wait(sender.send_raw(to=to, value=wei, gas=21_000))


class BaseRecipe:
    """Deploy ``contract_name`` with (name, symbol, supply); no hooks, no scam actions."""

    family = ""
    contract_name = ""
    scam_window = (10, 40)  # blocks after launch before a scheduled scam action fires

    def prepare(self, ctx: DeployContext) -> dict[str, Any]:
        """Per-deploy random choices, stored in ZooToken.extra."""
        return {}

    def ctor_args(self, ctx: DeployContext, extra: dict[str, Any]) -> list[Any]:
        return [ctx.name, ctx.symbol, ctx.supply]

    def deploy(self, ctx: DeployContext) -> ZooToken:
        extra = self.prepare(ctx)
        extra.setdefault("contract", self.contract_name)
        extra["scam_after_blocks"] = ctx.rng.randint(*self.scam_window)
        art = zoo_artifact(self.contract_name)
        address = deploy_artifact(ctx.w3, ctx.owner, art, self.ctor_args(ctx, extra))
        return ZooToken(self.family, address, ctx.owner, art.abi, extra, recipe=self)

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        return None

    def scam_actions(self, token: ZooToken, pair: str) -> list[ScamAction]:
        return []


class PairSetterRecipe(BaseRecipe):
    """Families whose owner tells the token its pair after liquidity (``setter(pair, ...)``)."""

    setter = ""
    setter_extra_args: tuple[Any, ...] = ()

    def post_liquidity(self, token: ZooToken, w3: Web3, pair: str, router: str) -> None:
        call_as(w3, token.owner, token, self.setter, pair, *self.setter_extra_args)
