"""The catalogue of token families the devnet market launches, honest and scam.

Why a catalogue separate from the deploy code: the market, the CLI manifest and the safety
tests all need to know which families exist and what each one does (and when), without
deploying anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenFamily:
    """One kind of token: whether it is a scam, what it is, and what fires and when.

    ``action`` is the ScamAction kind the market must schedule (None: nothing to schedule,
    the behaviour is in the code from launch).
    """

    name: str
    scam: bool
    description: str
    fires: str
    action: str | None = None


def _family(name: str, scam: bool, description: str, fires: str) -> tuple[str, TokenFamily]:
    marker = "scam action '"
    action = fires.split(marker, 1)[1].split("'", 1)[0] if marker in fires else None
    return name, TokenFamily(name, scam, description, fires, action)


FAMILIES: dict[str, TokenFamily] = dict(
    [
        _family(
            "honest_renounced",
            False,
            "Plain fixed-supply ERC20; ownership renounced and LP tokens burned after launch.",
            "nothing: after post_liquidity nobody can change the token or pull liquidity",
        ),
        _family(
            "honest_ownable",
            False,
            "Ownable ERC20 whose owner can only edit cosmetic metadata (setWebsite).",
            "nothing: the owner has no power over balances, fees or trading",
        ),
        _family(
            "honest_fixed_tax",
            False,
            "Disclosed immutable buy/sell tax of 1-5 % (TAX_BPS) paid to a treasury.",
            "on every buy and sell from launch: exactly amount*TAX_BPS//10000 goes to treasury",
        ),
        _family(
            "honeypot",
            True,
            "Only 'fee-excluded' addresses may transfer into the pair; holders cannot sell.",
            "on every sell from launch: the transfer to the pair reverts with a fake balance error",
        ),
        _family(
            "extreme_sell_tax",
            True,
            "2 % buy fee but a 90-99 % sell fee paid to the marketing wallet.",
            "on every sell from launch: sellFee percent of the tokens go to the owner",
        ),
        _family(
            "max_sell_trap",
            True,
            "'Anti-whale' max sell of 0.001 % of supply; holders can only sell dust.",
            "on every sell from launch above maxSellAmount: reverts 'Exceeds the maxTxAmount.'",
        ),
        _family(
            "cooldown",
            True,
            "'Anti-bot' cooldown: a buyer cannot sell for 7 days after each buy.",
            "on every sell within cooldownSeconds of the seller's last buy: reverts",
        ),
        _family(
            "owner_pause",
            True,
            "Owner opens trading at launch and can close it again at will.",
            "scam action 'pause' after_blocks after launch: setTrading(false) freezes holders",
        ),
        _family(
            "owner_blacklist",
            True,
            "'Anti-sniper' bot list: the owner can flag any address, freezing its tokens.",
            "scam action 'blacklist' after_blocks after launch: setBots(recent buyers, true)",
        ),
        _family(
            "hidden_mint",
            True,
            "A 'syncRewards' function silently mints to the owner (no Transfer event).",
            "scam action 'mint_dump' after_blocks after launch: mint 100x the pool, dump it",
        ),
        _family(
            "fake_renounce",
            True,
            "Ownership is renounced, but a hidden tax wallet still passes the owner check.",
            "scam action 'hidden_admin_fee' after_blocks after launch: sell fee set to 99 %",
        ),
        _family(
            "proxy_swap",
            True,
            "EIP-1967 proxy over a plain token; the admin swaps in a sell-blocking implementation.",
            "scam action 'proxy_upgrade' after_blocks after launch: upgradeTo(V2), sells revert",
        ),
        _family(
            "lying_balance",
            True,
            "balanceOf adds unmovable 'reflections': buyers see twice what they can transfer.",
            "on every buy from launch: balanceOf grows by 2x, transfer can only move 1x",
        ),
        _family(
            "gas_trap",
            True,
            "Every sell writes 320 fresh storage slots ('dividend snapshot'): ~7M gas per sell.",
            "on every sell from launch: needs > 5M gas, out-of-gas at normal limits",
        ),
        _family(
            "rug_pull",
            True,
            "Honest-looking ERC20; the deployer keeps the LP tokens.",
            "scam action 'rug_pull' after_blocks after launch: removeLiquidityETH of all LP",
        ),
        _family(
            "tax_hike",
            True,
            "Launches with 3 % buy/sell tax; the owner can raise it without a cap.",
            "scam action 'tax_hike' after_blocks after launch: updateTaxes(9900, 9900) = 99 %",
        ),
    ]
)

SCAM_FAMILIES: tuple[str, ...] = tuple(n for n, f in FAMILIES.items() if f.scam)
HONEST_FAMILIES: tuple[str, ...] = tuple(n for n, f in FAMILIES.items() if not f.scam)
