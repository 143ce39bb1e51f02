"""Devnet shapes: which chain id the local chain has and where WETH and the venues live.

Why shapes: the ``devnet`` shape (chain id 31337, addresses wherever deployment lands) is
what the devnet profile reads from the manifest. Paper and live profiles hard-code chain id 1
and the Ethereum mainnet addresses; the ``ethereum`` shape gives a local chain with exactly
those, so ``paper-ethereum`` / ``live-ethereum`` run unchanged against it (their RPC env var
pointed at anvil). The addresses are the mainnet ones in ``profiles/*-ethereum.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from claudedex.devnet.anvil import CHAIN_ID
from claudedex.errors import UserInputError

DEFAULT_SHAPE = "devnet"


@dataclass(frozen=True)
class PinnedVenue:
    """A venue whose factory and Router02 must sit at fixed addresses."""

    name: str
    factory: str
    router: str


@dataclass(frozen=True)
class Shape:
    """``weth`` None: WETH and venues stay where they are deployed (no pinned addresses)."""

    name: str
    chain_id: int
    weth: str | None = None
    venues: tuple[PinnedVenue, ...] = ()

    @property
    def pinned(self) -> bool:
        return self.weth is not None


ETHEREUM = Shape(
    name="ethereum",
    chain_id=1,
    weth="0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
    venues=(
        PinnedVenue(
            "uniswap",
            factory="0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f",
            router="0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D",
        ),
        # Mainnet SushiSwap's pair differs from Uniswap's (another init-code hash); here both
        # addresses hold the official Uniswap V2 bytecode, consistent with each other.
        PinnedVenue(
            "sushiswap",
            factory="0xC0AEe478e3658e2610c5F7A4A2E1777cE9e4f2Ac",
            router="0xd9e1cE17f2641f24aE83637ab66a2cca9C378B9F",
        ),
    ),
)

SHAPES: dict[str, Shape] = {
    DEFAULT_SHAPE: Shape(DEFAULT_SHAPE, CHAIN_ID),
    ETHEREUM.name: ETHEREUM,
}


def shape_named(name: str) -> Shape:
    """The shape called ``name``; UserInputError naming the known ones otherwise."""
    try:
        return SHAPES[name]
    except KeyError:
        known = ", ".join(SHAPES)
        raise UserInputError(f"--shape must be one of {known}, got {name!r}") from None
