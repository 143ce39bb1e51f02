"""Put WETH9 and the Uniswap V2 venues at pinned (e.g. Ethereum mainnet) addresses on anvil.

How: deploy each contract normally, then copy its runtime code (``anvil_setCode``) and the
storage its constructor wrote (``anvil_setStorageAt``) to the pinned address, and clear the
code at the deployed one. Three things make this correct:

- Storage: right after deployment only fixed slots hold data (WETH9: name, symbol, decimals
  in slots 0-2, balance/allowance maps empty; factory: feeTo, feeToSetter in slots 0-1,
  getPair map and allPairs array empty), so copying the first slots of each layout is all.
- Router02's ``factory`` and ``WETH`` are immutables inside its runtime code: the router is
  deployed with the pinned factory and WETH as constructor arguments, then moved.
- Pairs: the moved factory CREATE2s pairs from its own (pinned) address, and Router02's
  ``pairFor`` hashes that same factory address with the init-code hash compiled into it;
  ``check_router_init_code_hash`` proves the hash matches the factory's pair code, and
  ``verify_pinned`` reads the moved contracts back before anything trades on them.
"""

from __future__ import annotations

from typing import Any

from eth_utils.address import to_checksum_address
from web3 import Web3

from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.deployment import DevnetDeployment, deploy_devnet
from claudedex.devnet.shapes import Shape
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import (
    Venue,
    check_router_init_code_hash,
    deploy_factory,
    deploy_router,
    deploy_weth,
    factory_contract,
    router_contract,
    weth_contract,
)
from claudedex.errors import DevnetError

WETH9_SLOTS = 5  # name, symbol, decimals, balanceOf (map), allowance (map)
FACTORY_SLOTS = 4  # feeTo, feeToSetter, getPair (map), allPairs (length)
ROUTER_SLOTS = 0  # factory and WETH are immutables in the code


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    """An anvil-only RPC call; DevnetError when the node refuses it."""
    response = w3.provider.make_request(method, params)  # type: ignore[arg-type]  # anvil RPC method
    if response.get("error"):
        raise DevnetError(f"{method} failed: {response['error']}")
    return response.get("result")


def move_contract(w3: Web3, src: str, dst: str, slots: int) -> None:
    """Copy ``src``'s runtime code and storage slots ``0..slots-1`` to ``dst``; clear ``src``."""
    code = bytes(w3.eth.get_code(to_checksum_address(src)))
    if not code:
        raise DevnetError(f"no contract at {src} to move to {dst}")
    if w3.eth.get_code(to_checksum_address(dst)):
        raise DevnetError(f"{dst} already holds code: is this a fork, or a pinned devnet?")
    _rpc(w3, "anvil_setCode", [dst, "0x" + code.hex()])
    for slot in range(slots):
        value = bytes(w3.eth.get_storage_at(to_checksum_address(src), slot))
        if any(value):
            _rpc(w3, "anvil_setStorageAt", [dst, hex(slot), "0x" + value.rjust(32, b"\0").hex()])
    _rpc(w3, "anvil_setNonce", [dst, "0x1"])  # EIP-161: a created contract starts at nonce 1
    _rpc(w3, "anvil_setCode", [src, "0x"])


def deploy_shape(w3: Web3, deployer: DevAccount, shape: Shape) -> DevnetDeployment:
    """WETH9 + venues for ``shape``: at pinned addresses, or wherever they land."""
    if shape.pinned:
        return deploy_pinned(w3, deployer, shape)
    return deploy_devnet(w3, deployer)


def deploy_pinned(w3: Web3, deployer: DevAccount, shape: Shape) -> DevnetDeployment:
    """Deploy WETH9 and each of the shape's venues at the shape's addresses."""
    if shape.weth is None:
        raise DevnetError(f"shape {shape.name!r} pins no addresses")
    chain_id = w3.eth.chain_id
    if chain_id != shape.chain_id:
        raise DevnetError(f"shape {shape.name!r} needs chain id {shape.chain_id}, "
                          f"the node has {chain_id}")  # fmt: skip
    check_router_init_code_hash()
    sender = Sender.from_dev(w3, deployer, chain_id)
    weth = to_checksum_address(shape.weth)
    move_contract(w3, deploy_weth(w3, sender), weth, WETH9_SLOTS)
    venues: dict[str, Venue] = {}
    for pinned in shape.venues:
        factory = to_checksum_address(pinned.factory)
        router = to_checksum_address(pinned.router)
        move_contract(w3, deploy_factory(w3, sender), factory, FACTORY_SLOTS)
        move_contract(w3, deploy_router(w3, sender, factory, weth), router, ROUTER_SLOTS)
        venues[pinned.name] = Venue(pinned.name, factory, router)
    deployment = DevnetDeployment(
        chain_id=chain_id,
        weth=weth,
        venues=venues,
        deployer=deployer,
        block=w3.eth.block_number,
    )
    verify_pinned(w3, deployment)
    return deployment


def verify_pinned(w3: Web3, deployment: DevnetDeployment) -> None:
    """Read the moved contracts back: WETH's metadata, each factory and router's wiring."""
    weth = weth_contract(w3, deployment.weth)
    got = (weth.functions.symbol().call(), weth.functions.decimals().call())
    if got != ("WETH", 18):
        raise DevnetError(f"WETH9 at {deployment.weth} reads {got}, expected ('WETH', 18)")
    for venue in deployment.venues.values():
        factory = factory_contract(w3, venue)
        router = router_contract(w3, venue)
        setter = factory.functions.feeToSetter().call()
        wiring = (router.functions.factory().call(), router.functions.WETH().call())
        if setter != deployment.deployer.address or factory.functions.allPairsLength().call():
            raise DevnetError(f"{venue.name} factory at {venue.factory} was not moved intact")
        if wiring != (venue.factory, deployment.weth):
            raise DevnetError(f"{venue.name} router at {venue.router} points at {wiring}")
