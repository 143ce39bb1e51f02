"""The candle tape yields the feed's very ticks, and folding candles leaves the views,
the venue and the clock exactly as ticking them one by one does."""

from __future__ import annotations

from claudedex.backtest.candle_feed import candle_events
from claudedex.backtest.simvenue import SimConfig, SimulatedVenue
from claudedex.backtest.tape import CandleTape, foldable, ohlc
from claudedex.clock import ManualClock
from claudedex.events import PairDiscovered, PriceTicked
from claudedex.market.view import MarketView
from tests.unit.backtest.test_fastpath import STEP, walk

LIQ = 10**30  # deep enough that reserves pass 2**64 (Python ints, not machine ones)


def tape_of(n: int, seed: int = 4) -> CandleTape:
    candles = walk(n, seed=seed)
    return CandleTape("ETH_USDT", candles, STEP, LIQ, ohlc(candles))


def test_the_tape_yields_what_the_feed_yields() -> None:
    candles = walk(300, seed=2)
    tape = CandleTape("ETH_USDT", candles, STEP, LIQ, ohlc(candles))
    assert list(tape) == list(candle_events({"ETH_USDT": candles}, STEP, LIQ))


def test_a_bad_price_is_not_foldable() -> None:
    candles = walk(5)
    prices = ohlc(candles)
    assert foldable(prices)
    prices[2, 1] = float("nan")
    assert not foldable(prices)
    prices[2, 1] = 0.0
    assert not foldable(prices)


def replay(tape: CandleTape, fold_from: int | None, fold_to: int, max_candles: int = 50
           ) -> tuple[MarketView, SimulatedVenue, ManualClock]:
    """Tick the tape into a view; from candle ``fold_from`` fold up to ``fold_to``."""
    clock = ManualClock()
    view = MarketView(clock, STEP, max_candles=max_candles)
    venue = SimulatedVenue(clock, SimConfig())
    events = iter(tape)
    for ev in events:
        venue.observe(ev)
        if isinstance(ev, PriceTicked):
            clock.advance_to(ev.ts, ev.block_number)
            view.update_reserves(ev.pair, ev.reserve_token, ev.reserve_quote,
                                 ev.block_number, ev.ts)
        elif isinstance(ev, PairDiscovered):
            view.register_pair(ev.pair.pair, ev.pair.token)
        if fold_from is not None and tape.at_candle_start() and tape.next == fold_from:
            closes = tape.fold(fold_to, [view], venue, clock)
            assert len(closes) == fold_to - fold_from + 1
            fold_from = None
    return view, venue, clock


def test_folding_candles_leaves_the_state_ticking_leaves() -> None:
    for start, end in ((0, 9), (5, 5), (17, 180), (100, 299)):  # longer than max_candles too
        ticked = replay(tape_of(300), None, 0)
        folded = replay(tape_of(300), start, end)
        (tv, tven, tc), (fv, fven, fc) = ticked, folded
        pair = next(iter(tv.pools))
        assert fv.candle_count(pair) == tv.candle_count(pair) == 299
        assert list(fv.candles(pair)) == list(tv.candles(pair))
        assert fv.forming(pair) == tv.forming(pair)
        assert fv.pools[pair] == tv.pools[pair]
        assert fven.pools == tven.pools
        assert (fc.now(), fc.block()) == (tc.now(), tc.block())


def test_folding_mid_series_then_ticking_on_matches() -> None:
    """Fold a stretch in the middle, tick the rest: the candle after the stretch closes
    from the folded state exactly as from ticked state."""
    ticked = replay(tape_of(120, seed=9), None, 0, max_candles=500)
    folded = replay(tape_of(120, seed=9), 30, 60, max_candles=500)
    pair = next(iter(ticked[0].pools))
    assert list(folded[0].candles(pair)) == list(ticked[0].candles(pair))
