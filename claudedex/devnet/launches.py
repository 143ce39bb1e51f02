"""The launch plan: which token the market launches next, drawn from its own seeded RNG.

Why a dedicated RNG: launches (family, name, venue, sizes, timing) must be the same for the
same seed whatever happens on chain (a honeypot sell reverting changes nothing here).
Some names are hostile on purpose (markup, escapes): untrusted text must stay text downstream.
Some honest launches put their deep pool against a stable (``quote``), drawn from a second
RNG so that adding them left every other draw of a seed as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

E18 = 10**18
ADJECTIVES = ("Safe", "Moon", "Baby", "Turbo", "Based", "Giga", "Shiba", "Pepe", "Doge",
              "Rocket", "Floki", "Quantum", "Meta", "Cyber", "Golden", "Hyper")
NOUNS = ("Inu", "Cat", "Frog", "Coin", "Finance", "AI", "Swap", "Elon", "Bull", "Pump",
         "Gem", "Dragon", "Ape", "Lambo", "Chad", "Wojak")
# families launched with their deep pool against a stable now and then (see stablelaunch):
# plain honest tokens, whose transfer rules cannot trip over a second pool
STABLE_FAMILIES = frozenset({"honest_renounced", "honest_ownable", "plain_erc20"})
HOSTILE = ("[bold red]SAFU[/bold red]", "\x1b[31mMOON\x1b[0m", "Robert'); DROP TABLE tokens;--",
           "ＳＡＦＥ ✅ Verified", "[link=http://x]claim[/link]")


@dataclass(frozen=True)
class LaunchPlan:
    index: int
    family: str
    name: str
    symbol: str
    venue: str
    supply: int  # base units (18 decimals)
    lp_share_bps: int  # share of the supply paired in the pool
    liquidity_eth: int  # wei
    dev_index: int
    quote: str = ""  # symbol of a stable the deep pool is against ("" = WETH)


class LaunchPlanner:
    """Decides per tick whether to launch, and what."""

    def __init__(
        self,
        seed: int,
        families: dict[str, bool],
        venues: tuple[str, ...],
        launch_rate_per_min: Decimal,
        tick_s: float,
        n_devs: int,
        scam_share: Decimal = Decimal("0.5"),
        quotes: tuple[str, ...] = (),
        stable_share: Decimal = Decimal("0.5"),
    ) -> None:
        self.rng = random.Random(f"claudedex-devnet:{seed}:launches")
        # its own RNG: the stable launches leave every other draw of a seed unchanged
        self.quote_rng = random.Random(f"claudedex-devnet:{seed}:quotes")
        self.quotes = quotes
        self.stable_share = float(stable_share)
        self.honest = sorted(f for f, scam in families.items() if not scam)
        self.scams = sorted(f for f, scam in families.items() if scam)
        self.venues = venues
        self.p_launch = min(1.0, float(launch_rate_per_min) * tick_s / 60.0)
        self.n_devs = n_devs
        self.scam_share = float(scam_share)
        self.count = 0

    def maybe_launch(self, tick: int) -> LaunchPlan | None:
        """The first tick always launches, so a fresh devnet is never empty."""
        draw = self.rng.random()
        if tick > 0 and draw >= self.p_launch:
            return None
        return self.next_plan()

    def next_plan(self) -> LaunchPlan:
        rng = self.rng
        pool = self.scams if (self.scams and rng.random() < self.scam_share) else self.honest
        pool = pool or self.scams
        family = rng.choice(pool)
        if rng.random() < 0.08:
            name = rng.choice(HOSTILE)
            symbol = "SAFU"
        else:
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
            symbol = "".join(w[:3] for w in name.split()).upper()[:6]
        plan = LaunchPlan(
            index=self.count,
            family=family,
            name=name,
            symbol=symbol,
            venue=rng.choice(self.venues),
            supply=rng.choice((10**6, 10**9, 10**12)) * E18,
            lp_share_bps=rng.randint(5000, 9000),
            liquidity_eth=rng.choice((1, 2, 3, 5, 10, 20)) * E18,
            dev_index=rng.randrange(self.n_devs),
            quote=self._quote(family),
        )
        self.count += 1
        return plan

    def _quote(self, family: str) -> str:
        """A stable for some launches of the plain honest families, else "" (WETH)."""
        draw, pick = self.quote_rng.random(), self.quote_rng.random()
        if family not in STABLE_FAMILIES or not self.quotes or draw >= self.stable_share:
            return ""
        return self.quotes[int(pick * len(self.quotes))]
