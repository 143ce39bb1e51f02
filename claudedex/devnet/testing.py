"""Helpers for tests (ours and other areas'): a real anvil with WETH + two V2 venues.

Why a plain function and not a pytest fixture: other helpers' tests wrap it in fixtures of
their own scope; the caller owns the AnvilProcess and must ``stop()`` it (or use ``with``).
"""

from __future__ import annotations

from pathlib import Path

from web3 import Web3

from claudedex.devnet.anvil import AnvilProcess
from claudedex.devnet.deployment import DevnetDeployment, with_quote_assets
from claudedex.devnet.pinned import deploy_shape
from claudedex.devnet.shapes import DEFAULT_SHAPE, shape_named


def connect(rpc_url: str) -> Web3:
    """A sync Web3 on an HTTP provider with a short timeout (local node)."""
    return Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))


def start_devnet_chain(
    block_time: int = 0,
    *,
    accounts: int = 20,
    data_dir: Path | None = None,
    port: int = 0,
    shape: str = DEFAULT_SHAPE,
    quotes: bool = False,
) -> tuple[AnvilProcess, Web3, DevnetDeployment]:
    """Start anvil, deploy WETH9 + venues ``uniswap`` and ``sushiswap`` with account 0.

    ``shape="ethereum"``: chain id 1 with WETH and both venues at their mainnet addresses.
    ``quotes``: also the stable quote assets and their WETH pools, as ``devnet up`` deploys.

    The deployment must use automine-speed blocks, so with ``block_time > 0`` deployment
    waits for mined blocks (a few seconds). Accounts 1.. are free for the caller.
    """
    chain_shape = shape_named(shape)
    anvil = AnvilProcess(block_time=block_time, accounts=accounts, data_dir=data_dir, port=port,
                         chain_id=chain_shape.chain_id)  # fmt: skip
    try:  # start() inside: a signal while anvil boots must still stop it
        anvil.start()
        w3 = connect(anvil.rpc_url)
        deployment = deploy_shape(w3, anvil.accounts[0], chain_shape)
        if quotes:
            deployment = with_quote_assets(w3, deployment)
    except BaseException:
        anvil.stop()
        raise
    return anvil, w3, deployment
