"""Simulated traders: noise, momentum buyers, whales and snipers.

Why intents instead of transactions: agents decide from the market's view and their own RNG
only, so a fixed seed gives the same decisions in the same order; the market turns intents
into signed transactions. Sizes are integers in wei; sells are fractions in basis points of
the current balance (read on chain when the intent is executed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from claudedex.devnet.anvil import DevAccount

E18 = 10**18


@dataclass(frozen=True)
class Intent:
    trader: DevAccount
    kind: str  # "buy" | "sell"
    token: str
    eth_in: int = 0  # buy: wei to spend
    sell_bps: int = 0  # sell: share of the balance, 1..10_000


@dataclass(frozen=True)
class TokenView:
    """What traders may know about a live token (no ground truth here)."""

    token: str
    launch_tick: int
    price_now: Decimal
    price_prev: Decimal  # a few ticks ago
    liquidity_wei: int


@dataclass
class Trader:
    """Base agent: one dev account, its RNG and the tokens it believes it holds."""

    account: DevAccount
    rng: random.Random
    holdings: dict[str, int] = field(default_factory=dict)  # token -> tick bought

    style = "noise"

    def decide(self, tick: int, tokens: list[TokenView]) -> list[Intent]:
        raise NotImplementedError

    def _buy(self, token: str, tick: int, lo_milli: int, hi_milli: int) -> Intent:
        self.holdings.setdefault(token, tick)
        amount = self.rng.randint(lo_milli, hi_milli) * E18 // 1000
        return Intent(self.account, "buy", token, eth_in=amount)

    def _sell(self, token: str, bps: int) -> Intent:
        if bps >= 10_000:
            self.holdings.pop(token, None)
        return Intent(self.account, "sell", token, sell_bps=min(bps, 10_000))


class NoiseTrader(Trader):
    """Random small buys and sells on any live token."""

    style = "noise"

    def decide(self, tick: int, tokens: list[TokenView]) -> list[Intent]:
        if not tokens or self.rng.random() > 0.35:
            return []
        view = self.rng.choice(tokens)
        held = [t for t in sorted(self.holdings) if any(v.token == t for v in tokens)]
        if held and self.rng.random() < 0.45:
            return [self._sell(self.rng.choice(held), self.rng.choice((2500, 5000, 10_000)))]
        return [self._buy(view.token, tick, 20, 800)]


class MomentumTrader(Trader):
    """Buys what rose over the last ticks; sells on a drop or after holding a while."""

    style = "momentum"

    def decide(self, tick: int, tokens: list[TokenView]) -> list[Intent]:
        intents: list[Intent] = []
        by_token = {v.token: v for v in tokens}
        for token in sorted(self.holdings):
            view = by_token.get(token)
            if view is None:
                continue
            falling = view.price_prev > 0 and view.price_now < view.price_prev * Decimal("0.9")
            if falling or tick - self.holdings[token] > 30:
                intents.append(self._sell(token, 10_000))
        rising = [
            v for v in tokens
            if v.price_prev > 0 and v.price_now > v.price_prev * Decimal("1.05")
            and v.token not in self.holdings
        ]  # fmt: skip
        if rising and self.rng.random() < 0.5:
            intents.append(self._buy(self.rng.choice(rising).token, tick, 200, 2000))
        return intents


class Whale(Trader):
    """Rare, large buys into deep pools; dumps half later."""

    style = "whale"

    def decide(self, tick: int, tokens: list[TokenView]) -> list[Intent]:
        if self.rng.random() > 0.06:
            return []
        if self.holdings and self.rng.random() < 0.5:
            return [self._sell(self.rng.choice(sorted(self.holdings)), 5000)]
        deep = [v for v in tokens if v.liquidity_wei >= 2 * E18]
        if not deep:
            return []
        return [self._buy(self.rng.choice(deep).token, tick, 5000, 30_000)]


class Sniper(Trader):
    """Buys in the first ticks after a launch, takes profit a few ticks later."""

    style = "sniper"

    def decide(self, tick: int, tokens: list[TokenView]) -> list[Intent]:
        intents: list[Intent] = []
        for view in tokens:
            fresh = tick - view.launch_tick <= 1 and view.token not in self.holdings
            if fresh and self.rng.random() < 0.6:
                intents.append(self._buy(view.token, tick, 300, 3000))
        for token in sorted(self.holdings):
            if tick - self.holdings[token] >= self.rng.randint(3, 12):
                intents.append(self._sell(token, 10_000))
        return intents


STYLES: dict[str, type[Trader]] = {
    "noise": NoiseTrader,
    "momentum": MomentumTrader,
    "whale": Whale,
    "sniper": Sniper,
}
