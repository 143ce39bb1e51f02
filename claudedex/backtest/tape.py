"""One candle series as the ticks :func:`candle_events` yields, addressable by candle.

Why a tape and not the generator: the fast path (:mod:`claudedex.backtest.fastpath`) can
advance a whole flat stretch (no position, nothing in flight, no ``enter`` signal) in one
call. Per tick, such a stretch would only move the views' pools and candle builders, the
venue's reserves, the clock and the runner's count; :meth:`CandleTape.fold` moves exactly
that state for many candles at once, without creating a tick object, and the iterator goes
on from the first candle the kernel must see. The ticks it does yield are the very ones
:func:`~claudedex.backtest.candle_feed.candle_events` yields for one series (same reserves,
blocks and times), so a replay that never folds is the plain replay.

A tape is built only for a series whose prices are all positive and finite (the feed skips
a tick at a non-positive price, which shifts its block count).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from claudedex.backtest.candle_feed import OFFSETS, candle_events
from claudedex.events import Event, PriceTicked
from claudedex.market.candles import Candle, candle_array
from claudedex.market.view import PoolState

if TYPE_CHECKING:
    from claudedex.backtest.simvenue import SimulatedVenue
    from claudedex.clock import ManualClock
    from claudedex.market.view import MarketView

TICKS = len(OFFSETS)


def ohlc(candles: Sequence[Candle]) -> np.ndarray:
    """The candles' open, high, low and close as an (n, 4) float array."""
    return candle_array(candles)[:, 1:5]


def foldable(prices: np.ndarray) -> bool:
    """True when every price is positive and finite (the tape's premise)."""
    return bool(np.all(np.isfinite(prices) & (prices > 0)))


class CandleTape:
    """The events of one named candle series; iterate it, or :meth:`fold` candles ahead.

    ``prices`` is :func:`ohlc` of ``candles``. Raises ValueError for prices
    :func:`foldable` refuses.
    """

    def __init__(self, name: str, candles: Sequence[Candle], interval_s: float,
                 liquidity_quote: int, prices: np.ndarray) -> None:
        if not foldable(prices):
            raise ValueError(f"{name}: a price is not positive and finite")
        self._prices = prices
        self.candles = candles
        self.liquidity = liquidity_quote
        head = candle_events({name: candles[:1]}, interval_s, liquidity_quote)
        self._head = [next(head), next(head)]  # the pair and its report
        self.pair = self._head[0].pair.pair  # type: ignore[attr-defined]
        self._steps = [interval_s * f for f in OFFSETS]
        self.next = 0  # the next candle to yield
        self.yielded = 0  # events handed out or folded so far (for progress)
        self._started = False
        self._reserves: np.ndarray | None = None
        self._ts: np.ndarray | None = None
        self._starts = np.fromiter((c.ts for c in candles), np.float64, len(candles))
        self._view = _view_columns(self._starts, prices, liquidity_quote)

    def __iter__(self) -> Iterator[Event]:
        for ev in self._head:
            self.yielded += 1
            yield ev
        self._started = True
        liq, pair, steps = self.liquidity, self.pair, self._steps
        while self.next < len(self.candles):
            i = self.next
            self.next += 1
            c = self.candles[i]
            up = c.close >= c.open
            prices = (c.open, c.low if up else c.high, c.high if up else c.low, c.close)
            for j, (dt, price) in enumerate(zip(steps, prices, strict=True)):
                self.yielded += 1
                yield PriceTicked(pair=pair, reserve_token=int(liq / price),
                                  reserve_quote=liq, block_number=TICKS * i + j + 1,
                                  ts=c.ts + dt)

    def at_candle_start(self) -> bool:
        """True between two candles: the next event, if any, opens candle ``next``."""
        return self._started and self.yielded == len(self._head) + TICKS * self.next

    def fold(self, last: int, views: Sequence[MarketView], venue: SimulatedVenue,
             clock: ManualClock) -> np.ndarray:
        """Apply candles ``next``..``last`` (inclusive) as their ticks would have reached
        the views' pools and candles, the venue's reserves and the clock; returns each
        folded candle's close token reserve, an exact integer held as a float as in
        :meth:`ticks` (the quote reserve is the tape's liquidity).
        The caller guarantees nothing else in the kernel would have acted on those ticks
        (see the fast path's why). Raises ValueError off a candle boundary."""
        first = self.next
        if not self.at_candle_start() or last < first:
            raise ValueError(f"fold to candle {last} from {first}: not at a candle start")
        liq, cs = self.liquidity, self.candles
        keep = max(v.max_candles for v in views)
        built = self._view_candles(max(first, last - keep), last + 1)
        # int(liq / price): the quotient floored (positive), made an int where it is read
        close_rt = np.floor(float(liq) / self._prices[first:last + 1, 3])
        last_rt = int(close_rt[-1])
        ts_last = cs[last].ts + self._steps[-1]
        block_last = TICKS * (last + 1)
        clock.advance_to(max(ts_last, clock.now()), max(block_last, clock.block()))
        pool = venue.pools.get(self.pair)
        if pool is not None:
            pool.reserve_token, pool.reserve_quote, pool.block = last_rt, liq, block_last
        for view in views:
            token = view.pair_token.get(self.pair, "")
            prev = view.pools.get(self.pair)
            state = PoolState(self.pair, token or (prev.token if prev else ""), last_rt,
                              liq, block_last, ts_last)
            view.fold_candles(self.pair, built[:-1], last - first, built[-1], state)
        self.next = last + 1
        self.yielded += TICKS * (last + 1 - first)
        return close_rt

    def _view_candles(self, start: int, stop: int) -> list[Candle]:
        """The candles a view builds from the ticks of candles ``start``..``stop - 1``."""
        if self._view is None:
            return [_view_candle(self.candles[i], self.liquidity) for i in range(start, stop)]
        ts, o, h, lo, c = (col[start:stop].tolist() for col in self._view)
        return list(map(Candle, ts, o, h, lo, c, [0.0] * (stop - start)))

    def close_ts(self, first: int, last: int) -> list[float]:
        """The close ticks' times of candles ``first``..``last`` (seconds)."""
        at: list[float] = (self._starts[first:last + 1] + self._steps[-1]).tolist()
        return at

    def close_prices(self, first: int, last: int, close_reserves: np.ndarray) -> list[float]:
        """The pool's price (quote per token) at the close ticks of candles ``first``..
        ``last``, whose token reserves :meth:`fold` returned: ``liquidity / reserve``."""
        if self._view is not None:  # the same quotients, computed once (_view_columns)
            seen: list[float] = self._view[4][first:last + 1].tolist()
            return seen
        liq = self.liquidity
        return [liq / int(rt) for rt in close_reserves.tolist()]

    def close_tick(self, i: int) -> PriceTicked:
        """Candle ``i``'s close tick, as the iterator yields it."""
        c = self.candles[i]
        return PriceTicked(pair=self.pair, reserve_token=int(self.liquidity / c.close),
                           reserve_quote=self.liquidity, block_number=TICKS * (i + 1),
                           ts=c.ts + self._steps[-1])

    def ticks(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """Token reserves (exact integers held as floats) and times of every tick of
        candles ``first``..``last``, in order (computed once for the whole tape)."""
        if self._reserves is None:
            o, h, lo, c = self._prices.T
            up = c >= o  # low first on an up candle, high first on a down one (the feed's)
            ticks = np.stack([o, np.where(up, lo, h), np.where(up, h, lo), c], axis=1)
            self._reserves = np.floor(float(self.liquidity) / ticks).ravel()
            starts = self._starts
            self._ts = (starts[:, None] + np.asarray(self._steps)[None, :]).ravel()
        assert self._ts is not None
        span = slice(TICKS * first, TICKS * (last + 1))
        return self._reserves[span], self._ts[span]


def _view_columns(starts: np.ndarray, prices: np.ndarray,
                  liq: int) -> tuple[np.ndarray, ...] | None:
    """Open time, open, high, low and close of every candle as a view builds it from the
    candle's four ticks, for the whole series at once; None when a price is above the
    pool's depth (no token reserve: each candle is then built by :func:`_view_candle`).

    Exact: a tick's token reserve is ``int(liq / price)``, which Python computes as the
    IEEE quotient of ``float(liq)`` and the price, truncated (here: floored, all positive).
    The view's price ``liq / reserve`` is the correctly rounded quotient of two integers:
    IEEE division when both are exact as doubles (a reserve is, as the floor of a double;
    ``liq`` is checked); otherwise (a depth such as 10**30 wei) each is divided as Python
    divides integers, 0.1 µs apiece. So every value equals the per-candle one, bit for bit.
    """
    if not len(prices):
        return None
    liq_f = float(liq)
    o, h, lo, c = prices.T
    up = c >= o  # low first on an up candle, high first on a down one (the feed's order)
    ticks = np.stack([o, np.where(up, lo, h), np.where(up, h, lo), c], axis=1)
    reserves = np.floor(liq_f / ticks)
    if not np.all((reserves > 0) & np.isfinite(reserves)):  # a price above the pool's depth
        return None
    if liq_f == liq:
        seen = liq_f / reserves
    elif abs(liq - int(liq_f)) < 2**53:  # liq is one double plus another, exactly
        seen = _exact_quotients(liq, reserves)
    else:
        quotients = (liq / int(r) for r in reserves.ravel().tolist())
        seen = np.fromiter(quotients, np.float64, reserves.size).reshape(reserves.shape)
    return (starts, seen[:, 0], seen.max(axis=1), seen.min(axis=1), seen[:, 3])


_SPLIT = 134_217_729.0  # 2**27 + 1: Veltkamp's splitting constant for binary64


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` as ``hi + lo`` exactly, each with at most 26 significant bits (Veltkamp)."""
    c = a * _SPLIT
    hi = c - (c - a)
    return hi, a - hi


def _exact_quotients(num: int, den: np.ndarray) -> np.ndarray:
    """``num / d`` for each integer-valued double ``d > 0`` of ``den``, rounded to the
    nearest double (ties to even): what Python's ``num / int(d)`` gives, bit for bit.

    ``num`` must be ``float(num)`` plus an integer under 2**53 (true below 2**106). The
    quotient of the double part is corrected by the remainder ``num - q0 * d``, computed
    with Dekker's exact product (T. J. Dekker, "A floating-point technique for extending
    the available precision", Numer. Math. 18, 1971); its error is under 2**-49 of the
    last place, so the corrected sum rounds as the exact quotient does unless that lies
    within 2**-40 of the last place of a rounding midpoint. Those few (none among 800,000
    random cases; every exact tie among them) are divided as Python divides integers.
    """
    hi = float(num)
    lo = float(num - int(hi))  # exact: the caller checked it is under 2**53
    q0 = hi / den
    prod = q0 * den
    qh, ql = _split(q0)
    dh, dl = _split(den)
    err = ((qh * dh - prod) + qh * dl + ql * dh) + ql * dl  # q0 * den == prod + err
    t = (((hi - prod) - err) + lo) / den  # (num - q0 * den) / den, nearly exact
    out: np.ndarray = q0 + t
    up = np.nextafter(out, np.inf) - out
    down = out - np.nextafter(out, 0.0)
    off = (q0 - out) + t  # where the quotient lies from ``out``, in (-down/2, up/2)
    near = ((np.abs(off - up / 2) <= up * 2.0**-40)
            | (np.abs(off + down / 2) <= down * 2.0**-40))
    flat, dens = out.reshape(-1), den.reshape(-1)
    for i in np.flatnonzero(near.reshape(-1)).tolist():
        flat[i] = num / int(dens[i])
    return out


def _view_candle(c: Candle, liq: int) -> Candle:
    """The candle a view builds from ``c``'s four ticks (prices as the reserves give them)."""
    up = c.close >= c.open
    ticks = [liq / int(liq / p) for p in
             (c.open, c.low if up else c.high, c.high if up else c.low, c.close)]
    return Candle(c.ts, ticks[0], max(ticks), min(ticks), ticks[3], 0.0)


__all__ = ["CandleTape", "foldable", "ohlc"]
