"""Build a market on a started chain: accounts, truth file, price book, feed and simulator.

Why one builder: ``devnet up``, the tests and the benchmark assemble the market the same
way, so what the tests prove is what the CLI runs.
"""

from __future__ import annotations

import random
from pathlib import Path

from web3 import Web3

from claudedex.devnet.accounts import plan_accounts
from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.deployment import DevnetDeployment
from claudedex.devnet.labels import LABELS_FILE, LabelWriter
from claudedex.devnet.market import MarketConfig, MarketSimulator
from claudedex.devnet.pricebook import PriceBook
from claudedex.devnet.social import SocialFeed
from claudedex.devnet.tokens import TokenSource, default_source


def build_market(
    w3: Web3,
    deployment: DevnetDeployment,
    accounts: list[DevAccount],
    data_dir: Path,
    config: MarketConfig,
    source: TokenSource | None = None,
) -> MarketSimulator:
    """A ready MarketSimulator writing its ground truth to ``data_dir/labels.jsonl``."""
    return MarketSimulator(
        w3,
        deployment,
        plan_accounts(accounts),
        config=config,
        source=source or default_source(),
        labels=LabelWriter(data_dir / LABELS_FILE),
        book=PriceBook(),
        feed=SocialFeed(random.Random(f"claudedex-devnet:{config.seed}:social")),
    )
