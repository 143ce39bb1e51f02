"""A strategy reads the market view but cannot write it (claudedex.market.reader).

The risk limits are judged on the view's portfolio snapshot right after the strategy
returns: a strategy that cleared ``committed`` or zeroed a position would move them. The
decider hands strategies a ViewReader: the same readings, following the view as it
changes, and every write refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claudedex.backtest.replay import Backtest
from claudedex.clock import ManualClock
from claudedex.errors import ReplayAborted
from claudedex.market.candles import Candle
from claudedex.market.reader import ViewReader
from claudedex.market.view import MarketView
from tests.unit.backtest.helpers import profile
from tests.unit.backtest.test_fastpath import SMA_FILE, STEP, walk

PAIR, TOKEN = "0x" + "b0" * 20, "0x" + "a0" * 20


def view_with_a_position() -> MarketView:
    view = MarketView(ManualClock(2000.0), 60.0)
    view.register_pair(PAIR, TOKEN, "TKN")
    view.update_reserves(PAIR, 10**21, 10**20, 1, 1000.0)
    view.add_candle(PAIR, Candle(0.0, 1.0, 1.0, 1.0, 1.0, 0.0))
    view.portfolio.positions[TOKEN] = 5
    view.portfolio.committed[TOKEN] = 7
    view.portfolio.equity_quote = 100
    return view


def test_the_reader_reads_what_the_view_holds_and_follows_it() -> None:
    view = view_with_a_position()
    reader = ViewReader(view)
    assert reader.portfolio.positions == {TOKEN: 5} and reader.portfolio.committed[TOKEN] == 7
    assert reader.portfolio.equity_quote == 100 and reader.pair_token[PAIR] == TOKEN
    assert reader.symbols[TOKEN] == "TKN" and list(reader.candles(PAIR)) == list(view.candles(PAIR))
    assert reader.pool(PAIR) == view.pool(PAIR) and reader.price(PAIR) == view.price(PAIR)
    view.portfolio.positions[TOKEN] = 9  # the engine moves on: the reader sees it at once
    view.update_reserves(PAIR, 2 * 10**21, 10**20, 2, 1001.0)
    assert reader.portfolio.positions[TOKEN] == 9
    assert reader.pools[PAIR].reserve_token == 2 * 10**21 == reader.pool(PAIR).reserve_token  # type: ignore[union-attr]


@pytest.mark.parametrize("write", [
    lambda r: r.portfolio.committed.clear(),
    lambda r: r.portfolio.positions.__setitem__(TOKEN, 0),
    lambda r: r.portfolio.exiting.__setitem__(TOKEN, ""),
    lambda r: setattr(r.portfolio, "equity_quote", 10**30),
    lambda r: setattr(r, "portfolio", None),
    lambda r: r.pair_token.__setitem__(PAIR, "0x" + "ff" * 20),
    lambda r: r.candles(PAIR).clear(),
    lambda r: r.update_reserves(PAIR, 1, 1, 9, 1002.0),
    lambda r: r.set_series({}),
])
def test_every_write_is_refused(write: Any) -> None:
    view = view_with_a_position()
    with pytest.raises((TypeError, AttributeError)):
        write(ViewReader(view))
    assert view.portfolio.positions == {TOKEN: 5} and view.portfolio.committed == {TOKEN: 7}
    assert view.pair_token[PAIR] == TOKEN and len(view.candles(PAIR)) == 1


def test_a_pools_state_is_a_copy() -> None:
    """The view updates a pool in place: a reader's change must not reach the reserves
    the risk manager sizes on."""
    view = view_with_a_position()
    reader = ViewReader(view)
    pool = reader.pool(PAIR)
    assert pool is not None
    pool.reserve_token = 1
    reader.pools[PAIR].reserve_quote = 1
    assert view.pools[PAIR].reserve_token == 10**21 and view.pools[PAIR].reserve_quote == 10**20


def test_a_strategy_file_that_writes_the_portfolio_stops_the_backtest(tmp_path: Path) -> None:
    """Before: a strategy clearing ``committed`` after each signal made the risk manager
    forget the buys in flight; now the write fails, and the replay says whose it was."""
    path = tmp_path / "sneaky.py"
    path.write_text(SMA_FILE.replace(
        "        token = view.pair_token.get(pair, pair)\n",
        "        token = view.pair_token.get(pair, pair)\n"
        "        view.portfolio.committed.clear()\n"))
    bt = Backtest(profile("sma_cross"), strategy_file=path, candle_interval_s=STEP)
    with pytest.raises(ReplayAborted, match="strategy.*AttributeError") as caught:
        bt.run_candles({"ETH_USDT": walk(600, seed=11)}, STEP)
    assert "mappingproxy" in str(caught.value)
