"""The candle tape yields the feed's very ticks, and folding candles leaves the views,
the venue and the clock exactly as ticking them one by one does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claudedex.backtest.candle_feed import candle_events
from claudedex.backtest.simvenue import SimConfig, SimulatedVenue
from claudedex.backtest.tape import CandleTape, _view_candle, _view_columns, foldable, ohlc
from claudedex.clock import ManualClock
from claudedex.events import PairDiscovered, PriceTicked
from claudedex.market.candles import Candle
from claudedex.market.view import MarketView
from tests.unit.backtest.test_fastpath import STEP, walk

LIQ = 10**30  # deep enough that reserves pass 2**64 (Python ints, not machine ones)
# 10**30 is not a double (its quotients are divided as integers), int(1e30) and 10**21 are
LIQUIDITIES = (LIQ, int(1e30), 1000 * 10**18)


def tape_of(n: int, seed: int = 4, liq: int = LIQ) -> CandleTape:
    candles = walk(n, seed=seed)
    return CandleTape("ETH_USDT", candles, STEP, liq, ohlc(candles))


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
            assert [int(r) for r in closes] == [  # each close tick's token reserve
                int(tape.liquidity / c.close) for c in tape.candles[fold_from:fold_to + 1]]
            fold_from = None
    return view, venue, clock


@pytest.mark.parametrize("liq", LIQUIDITIES)
def test_folding_candles_leaves_the_state_ticking_leaves(liq: int) -> None:
    for start, end in ((0, 9), (5, 5), (17, 180), (100, 299)):  # longer than max_candles too
        ticked = replay(tape_of(300, liq=liq), None, 0)
        folded = replay(tape_of(300, liq=liq), start, end)
        (tv, tven, tc), (fv, fven, fc) = ticked, folded
        pair = next(iter(tv.pools))
        assert fv.candle_count(pair) == tv.candle_count(pair) == 299
        assert list(fv.candles(pair)) == list(tv.candles(pair))
        assert fv.forming(pair) == tv.forming(pair)
        assert fv.pools[pair] == tv.pools[pair]
        assert fven.pools == tven.pools
        assert (fc.now(), fc.block()) == (tc.now(), tc.block())


@pytest.mark.parametrize("liq", LIQUIDITIES)
def test_folding_mid_series_then_ticking_on_matches(liq: int) -> None:
    """Fold a stretch in the middle, tick the rest: the candle after the stretch closes
    from the folded state exactly as from ticked state."""
    ticked = replay(tape_of(120, seed=9, liq=liq), None, 0, max_candles=500)
    folded = replay(tape_of(120, seed=9, liq=liq), 30, 60, max_candles=500)
    pair = next(iter(ticked[0].pools))
    assert list(folded[0].candles(pair)) == list(ticked[0].candles(pair))


PRICES = st.floats(min_value=1e-12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PRICES, PRICES, PRICES, PRICES), min_size=1, max_size=20),
       st.sampled_from([int(1e30), int(1e21), 1000 * 10**18, 2**70, int(3.7e24),
                        10**30, 10**30 + 7, 3 * 10**24 + 1]))
def test_whole_series_view_candles_are_the_one_by_one_ones(
        rows: list[tuple[float, float, float, float]], liq: int) -> None:
    """The columns the tape computes for every candle at once hold, bit for bit, the
    candle a view builds from that candle's four ticks (Python's exact int arithmetic)."""
    candles = [Candle(300.0 * i, o, max(o, h, lo, c), min(o, h, lo, c), c, 1.0)
               for i, (o, h, lo, c) in enumerate(rows)]
    prices = ohlc(candles)
    starts = prices[:, 0] * 0 + [c.ts for c in candles]
    columns = _view_columns(starts, prices, liq)
    assert columns is not None  # every depth above is deep enough for every price
    for i, c in enumerate(candles):
        one = _view_candle(c, liq)
        assert tuple(float(col[i]) for col in columns) == one[:5]


def test_a_price_above_the_depth_leaves_the_candles_to_be_built_one_by_one() -> None:
    candles = walk(3)
    assert _view_columns(ohlc(candles)[:, 0], ohlc(candles), 50) is None  # prices ~100


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 2**105), st.lists(st.floats(1e-9, 1e9), min_size=1, max_size=40))
def test_exact_quotients_are_pythons_integer_division(num: int, prices: list[float]) -> None:
    """The vectorised quotient of an integer by integer-valued doubles is, bit for bit,
    Python's correctly rounded ``num / int(d)``, for a numerator that is no double."""
    import numpy as np

    from claudedex.backtest.tape import _exact_quotients

    den = np.floor(float(num) / np.asarray(prices))
    den = den[den > 0]
    if not len(den):
        return
    got = _exact_quotients(num, den)
    assert got.tolist() == [num / int(d) for d in den.tolist()]


def test_exact_quotients_round_ties_to_even() -> None:
    import numpy as np

    from claudedex.backtest.tape import _exact_quotients

    num = (2**53 + 1) * 2**10  # num / 1024 is halfway between 2**53 and 2**53 + 2
    den = np.array([1024.0, 2048.0, 3.0, 3 * 1024.0])
    assert _exact_quotients(num, den).tolist() == [num / int(d) for d in den.tolist()]
    assert _exact_quotients(num, den)[0] == 2.0**53  # the even neighbour
