"""Which anvil dev account does what, fixed by index so every run hands out the same keys.

Why fixed: the manifest promises the bot accounts that the simulator never touches (no nonce
races, balances only the bot moves). Index 0 deploys the infrastructure.
"""

from __future__ import annotations

from dataclasses import dataclass

from claudedex.devnet.anvil import DevAccount
from claudedex.errors import DevnetError

N_DEVS = 4
TRADER_COUNTS: dict[str, int] = {"noise": 8, "momentum": 3, "whale": 2, "sniper": 2}
N_FREE = 10
TOTAL_ACCOUNTS = 1 + N_DEVS + sum(TRADER_COUNTS.values()) + N_FREE


@dataclass(frozen=True)
class AccountPlan:
    deployer: DevAccount
    devs: tuple[DevAccount, ...]
    traders: dict[str, tuple[DevAccount, ...]]
    free: tuple[DevAccount, ...]


def plan_accounts(accounts: list[DevAccount]) -> AccountPlan:
    """Split anvil's accounts: deployer, token devs, traders by style, then the free ones."""
    if len(accounts) < TOTAL_ACCOUNTS:
        raise DevnetError(f"the market needs {TOTAL_ACCOUNTS} dev accounts, anvil has "
                          f"{len(accounts)}; start anvil with --accounts {TOTAL_ACCOUNTS}")
    i = 1
    devs = tuple(accounts[i : i + N_DEVS])
    i += N_DEVS
    traders: dict[str, tuple[DevAccount, ...]] = {}
    for style, count in TRADER_COUNTS.items():
        traders[style] = tuple(accounts[i : i + count])
        i += count
    return AccountPlan(accounts[0], devs, traders, tuple(accounts[i:]))
