"""OHLCV candles as the events the live kernel reads: pairs, a report, and price ticks.

Why ticks and not a candle event: the kernel's market view builds its candles from pool
reserves, live and in a backtest alike, so a candle file is replayed as the pool states
that would have produced it. Each candle becomes four ticks inside its interval (open,
then the extreme the price reached first by the usual assumption: low first on an up
candle, high first on a down one, then close) on a virtual constant-product pool of
``liquidity_quote`` depth; the view rebuilds the same OHLC from them. A candle closes when
the next one's open tick arrives, so strategies decide at the next open and, with the
simulated venue's zero latency for candles, fill there (Freqtrade's convention).

A CEX-style series has no token, no pool and no safety report: each pair gets a synthetic
address (from its name) and a ``safe`` report with no taxes, which is stated in the README.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from operator import itemgetter

from eth_utils.crypto import keccak

from claudedex.domain import PairInfo, RiskReport, Verdict
from claudedex.events import Event, PairDiscovered, PriceTicked, RiskAssessed
from claudedex.market.candles import Candle

WEI = 10**18
# offsets of the four ticks inside the interval, as fractions of it
OFFSETS = (0.0, 0.25, 0.5, 0.75)


def address_for(kind: str, name: str) -> str:
    """A deterministic stand-in address for a candle series' token or pool (lowercase, as
    discovery gives addresses to the kernel)."""
    return "0x" + keccak(f"claudedex candles {kind} {name}".encode())[-20:].hex()


def candle_events(series: Mapping[str, Sequence[Candle]], interval_s: float,
                  liquidity_quote: int = 1000 * WEI, chain_id: int = 0) -> Iterator[Event]:
    """Events for every series, merged by time (ties: pair name), blocks counted per tick."""
    first = min((cs[0].ts for cs in series.values() if cs), default=0.0)
    for name in sorted(series):
        pair, token = address_for("pair", name), address_for("token", name)
        info = PairInfo(chain_id, "candles", pair, token, "", 0, name)
        yield PairDiscovered(pair=info, source="candles", ts=first)
        yield RiskAssessed(report=RiskReport(token=token, pair=pair, verdict=Verdict.SAFE,
                                             findings=(), buy_tax_bps=0, sell_tax_bps=0,
                                             liquidity_quote=liquidity_quote), ts=first)
    if len(series) == 1:
        [(only, candles)] = series.items()
        merged: Sequence[tuple[float, str, Candle]] = [(c.ts, only, c) for c in candles]
    else:
        merged = sorted(((c.ts, name, c) for name, cs in series.items() for c in cs),
                        key=itemgetter(0, 1))
    pairs = {name: address_for("pair", name) for name in series}
    block = 0
    steps = [interval_s * f for f in OFFSETS]
    for ts, name, c in merged:
        pair = pairs[name]
        up = c.close >= c.open
        prices = (c.open, c.low if up else c.high, c.high if up else c.low, c.close)
        for dt, price in zip(steps, prices, strict=True):
            if price <= 0:
                continue
            block += 1
            yield PriceTicked(pair=pair, reserve_token=int(liquidity_quote / price),
                              reserve_quote=liquidity_quote, block_number=block, ts=ts + dt)


__all__ = ["address_for", "candle_events"]
