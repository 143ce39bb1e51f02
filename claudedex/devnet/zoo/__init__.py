"""The devnet token zoo: honest tokens and the scams users meet, deployed for real.

Public API:
- ``FAMILIES`` (name -> TokenFamily), ``SCAM_FAMILIES``, ``HONEST_FAMILIES``
- ``deploy_family(w3, family, owner, *, name, symbol, supply, rng, deployment) -> ZooToken``
- ``launch(w3, token, router, *, token_amount, eth_amount) -> pair`` (liquidity + hook)
- ``ZooToken.post_liquidity(w3, pair, router)`` and ``ZooToken.scam_actions(pair)``
- trading helpers in ``claudedex.devnet.zoo.trading`` (add_liquidity_eth, buy, sell)
Solidity sources live next to this file; ``compile.py`` rebuilds ``artifacts/``.
"""

from __future__ import annotations

from claudedex.devnet.zoo.deploy import RECIPES, deploy_family, launch
from claudedex.devnet.zoo.families import FAMILIES, HONEST_FAMILIES, SCAM_FAMILIES, TokenFamily
from claudedex.devnet.zoo.model import DeploymentLike, ScamAction, VenueLike, ZooToken
from claudedex.devnet.zoo.trading import (
    LiquidityResult,
    SwapFailed,
    SwapResult,
    add_liquidity_eth,
    buy,
    sell,
)

__all__ = [
    "FAMILIES",
    "HONEST_FAMILIES",
    "RECIPES",
    "SCAM_FAMILIES",
    "DeploymentLike",
    "LiquidityResult",
    "ScamAction",
    "SwapFailed",
    "SwapResult",
    "TokenFamily",
    "VenueLike",
    "ZooToken",
    "add_liquidity_eth",
    "buy",
    "deploy_family",
    "launch",
    "sell",
]
