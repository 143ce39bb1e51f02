"""Deploy WETH9 and the official Uniswap V2 factory + Router02 on a devnet.

The init-code hash problem: Router02 does not ask the factory where a pair lives; its
``UniswapV2Library.pairFor`` computes the CREATE2 address from a 32-byte init-code hash
compiled into the router. If that constant differs from keccak256 of the pair creation code
the factory embeds, every router swap would target an empty address. With the pinned npm
packages (v2-core 1.0.1, v2-periphery 1.1.0-beta.0) the two agree (0x96e8ac42...845f); we
check it before every deployment and refuse to deploy (DevnetError) if a package update
breaks it, rather than silently patching bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi.abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract

from claudedex.amm import get_amount_in as get_amount_in  # one AMM formula for all
from claudedex.amm import get_amount_out as get_amount_out
from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.artifacts import abi, load_artifact
from claudedex.devnet.txs import Sender
from claudedex.errors import DevnetError

VENUE_NAMES = ("uniswap", "sushiswap")


@dataclass(frozen=True)
class Venue:
    """One Uniswap V2 deployment: its name, factory and Router02 addresses."""

    name: str
    factory: str
    router: str

    def to_json(self) -> dict[str, str]:
        return {"factory": self.factory, "router": self.router}


def pair_init_code_hash() -> bytes:
    """keccak256 of the pair creation code, i.e. what the factory's CREATE2 uses."""
    pair_code = load_artifact("UniswapV2Pair").bytecode
    factory_code = load_artifact("UniswapV2Factory").bytecode
    if pair_code not in factory_code:
        raise DevnetError(
            "UniswapV2Factory artifact does not embed the UniswapV2Pair artifact's creation "
            "code: @uniswap/v2-core build is inconsistent; reinstall with `npm ci`"
        )
    return keccak(pair_code)


def check_router_init_code_hash() -> bytes:
    """Return the init-code hash if Router02 hard-codes it; DevnetError otherwise."""
    expected = pair_init_code_hash()
    router_code = load_artifact("UniswapV2Router02").bytecode
    # pairFor pushes the constant with PUSH32 (0x7f) right before hashing the CREATE2 preimage.
    if b"\x7f" + expected not in router_code:
        raise DevnetError(
            f"UniswapV2Router02 does not hard-code the pair init-code hash 0x{expected.hex()} "
            "(keccak of @uniswap/v2-core UniswapV2Pair bytecode): the installed "
            "@uniswap/v2-periphery does not match @uniswap/v2-core; pin the versions in "
            "package.json and run `npm ci`"
        )
    return expected


def create2_pair_address(factory: str, token_a: str, token_b: str) -> str:
    """The pair address Router02's pairFor computes (sorted tokens, CREATE2)."""
    a, b = sorted((bytes.fromhex(token_a[2:]), bytes.fromhex(token_b[2:])))
    salt = keccak(a + b)
    preimage = b"\xff" + bytes.fromhex(factory[2:]) + salt + pair_init_code_hash()
    return to_checksum_address(keccak(preimage)[12:])


Deployer = DevAccount | LocalAccount | Sender


def as_sender(w3: Web3, deployer: Deployer) -> Sender:
    """A Sender for a dev account, a LocalAccount, or the Sender itself (keeps its nonce)."""
    if isinstance(deployer, Sender):
        return deployer
    if isinstance(deployer, DevAccount):
        return Sender.from_dev(w3, deployer)
    return Sender(w3, deployer, w3.eth.chain_id)


def deploy_weth(w3: Web3, deployer: Deployer) -> str:
    """Deploy canonical WETH9; returns its checksummed address."""
    sender = as_sender(w3, deployer)
    return to_checksum_address(sender.deploy(load_artifact("WETH9").bytecode, gas=1_500_000))


def deploy_uniswap(
    w3: Web3, deployer: Deployer, weth: str | None = None, *, name: str = "uniswap"
) -> Venue:
    """Deploy UniswapV2Factory(feeToSetter=deployer) and Router02(factory, weth).

    ``weth`` None deploys a fresh WETH9 first. Refuses (DevnetError) when the router's
    hard-coded init-code hash does not match the factory's pair bytecode.
    """
    check_router_init_code_hash()
    sender = as_sender(w3, deployer)
    if weth is None:
        weth = deploy_weth(w3, sender)
    factory = deploy_factory(w3, sender)
    return Venue(name, factory, deploy_router(w3, sender, factory, weth))


def deploy_factory(w3: Web3, deployer: Deployer) -> str:
    """Deploy UniswapV2Factory(feeToSetter=deployer); returns its checksummed address."""
    sender = as_sender(w3, deployer)
    factory = sender.deploy(
        load_artifact("UniswapV2Factory").bytecode,
        encode(["address"], [sender.address]),
        gas=5_000_000,
    )
    return to_checksum_address(factory)


def deploy_router(w3: Web3, deployer: Deployer, factory: str, weth: str) -> str:
    """Deploy Router02(factory, weth): both are immutables baked into its runtime code."""
    sender = as_sender(w3, deployer)
    router = sender.deploy(
        load_artifact("UniswapV2Router02").bytecode,
        encode(["address", "address"], [to_checksum_address(factory), to_checksum_address(weth)]),
        gas=6_000_000,
    )
    return to_checksum_address(router)


def factory_contract(w3: Web3, venue: Venue) -> Contract:
    return w3.eth.contract(address=to_checksum_address(venue.factory), abi=abi("UniswapV2Factory"))


def router_contract(w3: Web3, venue: Venue) -> Contract:
    return w3.eth.contract(address=to_checksum_address(venue.router), abi=abi("UniswapV2Router02"))


def pair_contract(w3: Web3, pair: str) -> Contract:
    return w3.eth.contract(address=to_checksum_address(pair), abi=abi("UniswapV2Pair"))


def erc20_contract(w3: Web3, token: str) -> Contract:
    return w3.eth.contract(address=to_checksum_address(token), abi=abi("UniswapV2ERC20"))


def weth_contract(w3: Web3, weth: str) -> Contract:
    return w3.eth.contract(address=to_checksum_address(weth), abi=abi("WETH9"))
