"""Volume analysis: unique traders, buy/sell symmetry, and wash trading.

Why: launch scams fake activity by round-tripping the same wallets (buy, sell, buy again),
which inflates volume without new holders. Per pair we keep the recent swaps and measure
how many distinct wallets trade, how symmetric buys and sells are, and how much of the
volume comes from wallets that both bought and sold. Floats here are analytics only.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from claudedex.domain import Finding, Severity, Side


@dataclass(frozen=True, slots=True)
class Swap:
    """One swap on a pair, from the token's point of view (quote amounts in base units)."""

    pair: str
    wallet: str
    side: Side
    quote_amount: int
    token_amount: int
    block: int
    tx_hash: str = ""


@dataclass(frozen=True, slots=True)
class VolumeStats:
    swaps: int
    unique_traders: int
    buy_quote: int
    sell_quote: int
    round_trip_share: float  # of volume traded by wallets that both bought and sold
    symmetry: float  # 1.0 = buys and sells exactly equal in quote volume

    @property
    def volume_quote(self) -> int:
        return self.buy_quote + self.sell_quote


class VolumeAnalyzer:
    """Keeps the last ``window`` swaps per pair and judges them."""

    def __init__(self, window: int = 500, min_swaps: int = 12) -> None:
        self.window = window
        self.min_swaps = min_swaps
        self._swaps: dict[str, deque[Swap]] = defaultdict(lambda: deque(maxlen=self.window))

    def add(self, swap: Swap) -> None:
        self._swaps[swap.pair.lower()].append(swap)

    def stats(self, pair: str) -> VolumeStats:
        swaps = list(self._swaps.get(pair.lower(), ()))
        buys: dict[str, int] = defaultdict(int)
        sells: dict[str, int] = defaultdict(int)
        for s in swaps:
            (buys if s.side is Side.BUY else sells)[s.wallet] += s.quote_amount
        buy_q, sell_q = sum(buys.values()), sum(sells.values())
        both = set(buys) & set(sells)
        rt_volume = sum(buys[w] + sells[w] for w in both)
        total = buy_q + sell_q
        symmetry = 1 - abs(buy_q - sell_q) / total if total else 0.0
        return VolumeStats(len(swaps), len(set(buys) | set(sells)), buy_q, sell_q,
                           rt_volume / total if total else 0.0, symmetry)

    def findings(self, pair: str) -> tuple[Finding, ...]:
        st = self.stats(pair)
        if st.swaps < self.min_swaps:
            return ()
        evidence = {"swaps": str(st.swaps), "unique_traders": str(st.unique_traders),
                    "round_trip_share": f"{st.round_trip_share:.2f}",
                    "symmetry": f"{st.symmetry:.2f}", "volume_quote": str(st.volume_quote)}
        per_trader = st.swaps / max(st.unique_traders, 1)
        if st.round_trip_share >= 0.6 and st.symmetry >= 0.8 and per_trader >= 3:
            return (Finding("WASH_TRADING", Severity.MEDIUM,
                            f"{st.round_trip_share:.0%} of volume is wallets round-tripping; "
                            f"{st.unique_traders} traders made {st.swaps} swaps", evidence),)
        return (Finding("VOLUME", Severity.INFO,
                        f"{st.unique_traders} unique traders over {st.swaps} swaps", evidence),)
