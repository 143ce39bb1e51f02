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
        _family(
            "hidden_credit",
            True,
            "A 'loyalty settlement' credits the owner's balance: no supply change, no event.",
            "scam action 'credit_dump' after_blocks after launch: credit 100x the pool, dump it",
        ),
        _family(
            "unbacked_sell",
            True,
            "Renounced; the 'fee-exempt' marketing wallet is never debited when it sends.",
            "scam action 'unbacked_dump' after_blocks after launch: it sells 100x the pool",
        ),
        _family(
            "external_oracle",
            True,
            "Renounced; every non-buy transfer asks a policy contract the deployer controls.",
            "scam action 'policy_freeze' after_blocks after launch: the policy caps transfers at 0",
        ),
        _family(
            "wipe_holder",
            True,
            "'Compliance recovery': the owner can sweep any holder's whole balance to itself.",
            "scam action 'wipe' after_blocks after launch: recoverFrom(every buyer so far)",
        ),
        _family(
            "uups_upgrade",
            True,
            "UUPS proxy (upgrade logic in the implementation); the owner upgrades at will.",
            "scam action 'uups_upgrade' after_blocks after launch: upgradeToAndCall(V2), no sells",
        ),
        _family(
            "lp_locker",
            True,
            "Renounced token; LP 'locked for a year' in a locker its owner can empty any time.",
            "scam action 'locker_rug' after_blocks after launch: withdraw(0) then removeLiquidity",
        ),
        _family(
            "deep_slot_fee",
            True,
            "Renounced taxed token; a fee manager stored in slot 17 can raise fees to 99 %.",
            "scam action 'fee_manager_hike' after_blocks after launch: setFees(9900, 9900)",
        ),
        _family(
            "gasprice_gate",
            True,
            "'Gas-war protection' caps a sell's gas price at 0: only simulators can sell.",
            "on every sell from launch with tx.gasprice > 0 (every real wallet): reverts",
        ),
        _family(
            "codeless_seller_gate",
            True,
            "Sells are refused when the seller has no code: contracts sell, wallets cannot.",
            "on every sell from launch by an address without code: reverts 'exceeds balance'",
        ),
        _family(
            "contract_recipient_block",
            True,
            "'Anti-MEV' blocks transfers to contracts (so probes cannot buy); wallets can buy "
            "but only whitelisted partners may sell.",
            "on every buy to a contract and every wallet's sell from launch: reverts",
        ),
        _family(
            "block_time_bomb",
            True,
            "'Season' token: sells work at launch and revert 900 blocks after trading opened.",
            "on every sell from 900 blocks after post_liquidity: reverts 'Season over'",
        ),
        _family(
            "timestamp_tax_ramp",
            True,
            "Sell tax 2 % at launch; ramp_after_s (2-12 h) later it silently becomes 90 %.",
            "on every sell from ramp_after_s after post_liquidity: 90 % goes to the owner",
        ),
        _family(
            "honest_cooldown",
            False,
            "Ownerless anti-bot rule: a buyer cannot sell within 30 seconds of its last buy.",
            "on a sell within 30 s of the seller's last buy: reverts; nothing after that",
        ),
        _family(
            "honest_reflection",
            False,
            "Reflection ('holder rewards'): a fixed 2 % of every transfer is shared by all "
            "holders, the sender included; ownership renounced and LP burned at launch.",
            "nothing: balances grow a little on every transfer, nobody can change the token",
        ),
        _family(
            "honest_blocklist",
            False,
            "Meme token whose live owner keeps a disclosed blocklist (setFrozen); no tax, LP "
            "burned and the supply airdropped to many wallets at launch.",
            "nothing: the owner never freezes anyone; it could, which is a risk, not a scam",
        ),
    ]
)

SCAM_FAMILIES: tuple[str, ...] = tuple(n for n, f in FAMILIES.items() if f.scam)
HONEST_FAMILIES: tuple[str, ...] = tuple(n for n, f in FAMILIES.items() if not f.scam)
