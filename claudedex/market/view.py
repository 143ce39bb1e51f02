"""MarketView: everything a strategy may see, and nothing later than the clock.

Why a guard on every write: live runs and backtests feed the same view; in a backtest the
replay advances the clock before it feeds data, so a record stamped after ``clock.now()``
is a lookahead bug and is refused loudly instead of silently improving results.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from claudedex.clock import Clock, ReadOnlyClock
from claudedex.domain import RiskReport, Score
from claudedex.market.candles import Candle, CandleBuilder

LOOKAHEAD_SLACK_S = 1e-6


class LookaheadError(RuntimeError):
    """Data stamped after the clock's now was offered to the view."""


@dataclass(slots=True)
class SeriesTable:
    """Columns over a candle series: ``index`` maps a candle's open ts to its row."""

    index: dict[float, int]
    columns: Mapping[str, Any]  # name -> array-like, one value per candle


@dataclass(slots=True)
class PoolState:
    """The latest reserves of one pair; ``token`` is the non-quote side."""

    pair: str
    token: str
    reserve_token: int
    reserve_quote: int
    block: int
    ts: float


@dataclass(slots=True)
class PortfolioSnapshot:
    """What the strategy may know of our own book (kept current by the portfolio core)."""

    equity_quote: int = 0
    cash_quote: int = 0
    positions: dict[str, int] = field(default_factory=dict)  # token -> base units held
    position_value: dict[str, int] = field(default_factory=dict)  # token -> mark in quote
    peak_equity_quote: int = 0
    day_start_equity_quote: int = 0
    day_index: int = -1  # UTC day of day_start_equity_quote (clock seconds // 86400)
    # quote wei of buys proposed but not yet filled or abandoned: counted by the risk
    # limits so that several approvals in flight cannot exceed them together
    committed: dict[str, int] = field(default_factory=dict)
    # token -> why its exit is pending or failing: no new buy of it is proposed meanwhile
    exiting: dict[str, str] = field(default_factory=dict)


class MarketView:
    """Pool states, candles, reports, ML scores and the portfolio, bounded by the clock."""

    def __init__(
        self,
        clock: Clock,
        candle_interval_s: float = 60.0,
        max_candles: int = 500,
    ) -> None:
        self._clock = clock  # the view's own guard reads it; readers get the readings only
        self.clock: Clock = ReadOnlyClock(clock)
        self.candle_interval_s = candle_interval_s
        self.max_candles = max_candles
        self.pools: dict[str, PoolState] = {}
        self.pair_token: dict[str, str] = {}
        self.token_pair: dict[str, str] = {}  # token -> its deepest known pool
        self._token_pairs: dict[str, list[str]] = {}  # token -> every pool, in order seen
        self.symbols: dict[str, str] = {}
        self.reports: dict[str, RiskReport] = {}
        self.scores: dict[str, Score] = {}
        self.pump: dict[str, float] = {}
        self.warnings: dict[str, list[str]] = {}
        self.base_fee_wei = 0
        self.portfolio = PortfolioSnapshot()
        self._candles: dict[str, deque[Candle]] = {}
        self._candle_seq: dict[str, int] = {}
        self._builders: dict[str, CandleBuilder] = {}
        # pair -> columns computed once over a whole candle series (a backtest's file): read
        # only at the view's last closed candle (series_value), so they show nothing later
        # than the clock; private, and the columns read-only, so that a strategy cannot
        # index ahead or rewrite them by mistake
        self._series: dict[str, SeriesTable] = {}

    # -- guards -----------------------------------------------------------------------

    def _guard(self, ts: float) -> None:
        if ts > self._clock.now() + LOOKAHEAD_SLACK_S:
            raise LookaheadError(
                f"data stamped {ts} offered at clock {self._clock.now()}: lookahead refused"
            )

    # -- writers (fed by the ingest function, the backtest replay or the portfolio) ----

    def register_pair(self, pair: str, token: str, symbol: str = "") -> None:
        """Know ``pair`` as a pool of ``token``; ``token_pair`` names its deepest pool."""
        self.pair_token[pair] = token
        known = self._token_pairs.setdefault(token, [])
        if pair not in known:
            known.append(pair)
        self.token_pair.setdefault(token, pair)
        self._reselect(token)
        if symbol:
            self.symbols[token] = symbol

    def _depth(self, pair: str) -> int:
        pool = self.pools.get(pair)
        return pool.reserve_quote if pool is not None and pool.reserve_token > 0 else 0

    def _reselect(self, token: str) -> None:
        """A token's pool for marks and exits is its deepest (quote reserve): a stranger's
        empty or dust pair must never be the price a position is marked or sold at."""
        pairs = self._token_pairs.get(token)
        if not pairs:
            return
        best = max(pairs, key=self._depth)  # ties: the first registered
        if self._depth(best) > 0 or token not in self.token_pair:
            self.token_pair[token] = best

    def update_reserves(
        self, pair: str, reserve_token: int, reserve_quote: int, block: int, ts: float
    ) -> Candle | None:
        """Record new reserves; returns the candle this observation closed, if any."""
        self._guard(ts)
        token = self.pair_token.get(pair, "")
        prev = self.pools.get(pair)
        volume = 0.0
        if prev is None:
            self.pools[pair] = PoolState(pair, token, reserve_token, reserve_quote, block, ts)
        else:
            volume = abs(reserve_quote - prev.reserve_quote) / 1e18
            prev.token = token or prev.token
            prev.reserve_token = reserve_token
            prev.reserve_quote = reserve_quote
            prev.block = block
            prev.ts = ts
        pairs = self._token_pairs.get(token)
        if pairs is not None and len(pairs) > 1:  # one pool: it is already the token's pool
            self._reselect(token)
        if reserve_token <= 0:
            return None
        builder = self._builders.get(pair)
        if builder is None:
            builder = self._builders[pair] = CandleBuilder(self.candle_interval_s)
        closed = builder.observe(ts, reserve_quote / reserve_token, volume)
        if closed is not None:
            self._push_candle(pair, closed)
        return closed

    def set_pool(
        self, pair: str, token: str, reserve_token: int, reserve_quote: int, block: int, ts: float
    ) -> None:
        """Set reserves without building candles (candle replays feed candles directly)."""
        self._guard(ts)
        pool = self.pools.get(pair)
        if pool is None:
            self.pools[pair] = PoolState(pair, token, reserve_token, reserve_quote, block, ts)
        else:
            pool.reserve_token = reserve_token
            pool.reserve_quote = reserve_quote
            pool.block = block
            pool.ts = ts
        self._reselect(token or self.pair_token.get(pair, ""))

    def add_candle(self, pair: str, candle: Candle) -> None:
        """Append a closed candle from OHLCV data; it is known only at ``ts + interval``."""
        self._guard(candle.ts + self.candle_interval_s)
        self._push_candle(pair, candle)

    def fold_candles(self, pair: str, closed: Sequence[Candle], skipped: int,
                     forming: Candle, last: PoolState) -> None:
        """What a run of ticks would leave (a backtest's fast path, many candles at once):
        the forming candle closes, ``skipped`` candles close of which ``closed`` are the
        last ones (oldest first), ``forming`` is the candle now forming (the last tick's
        close) and ``last`` the pool's latest reserves. Raises LookaheadError past the
        clock."""
        self._guard(last.ts)
        self.pools[pair] = last
        builder = self._builders.get(pair)
        if builder is None:
            builder = self._builders[pair] = CandleBuilder(self.candle_interval_s)
        before = builder.forming()
        if before is not None:
            self._push_candle(pair, before)
        box = self._candles.get(pair)
        if box is None:
            box = self._candles[pair] = deque(maxlen=self.max_candles)
        box.extend(closed)  # as many _push_candle calls, at once; the count is set below
        self._candle_seq[pair] = self._candle_seq.get(pair, 0) + skipped
        builder.start(forming)

    def _push_candle(self, pair: str, candle: Candle) -> None:
        box = self._candles.get(pair)
        if box is None:
            box = self._candles[pair] = deque(maxlen=self.max_candles)
        box.append(candle)
        self._candle_seq[pair] = self._candle_seq.get(pair, 0) + 1

    def set_report(self, report: RiskReport) -> None:
        self.reports[report.token] = report
        if report.pair and report.token not in self.token_pair:
            self.register_pair(report.pair, report.token)

    def set_score(self, score: Score) -> None:
        self.scores[score.token] = score
        for name, value in score.contributions:
            if name == "pump_probability":
                self.pump[score.token] = value

    def add_warning(self, token: str, kind: str) -> None:
        self.warnings.setdefault(token, []).append(kind)

    # -- readers (what strategies use) -------------------------------------------------

    def candles(self, pair: str) -> Sequence[Candle]:
        """Closed candles only, oldest first (at most ``max_candles``)."""
        return self._candles.get(pair, ())

    def candle_count(self, pair: str) -> int:
        """How many candles have ever closed for ``pair`` (for incremental indicators)."""
        return self._candle_seq.get(pair, 0)

    def forming(self, pair: str) -> Candle | None:
        builder = self._builders.get(pair)
        return builder.forming() if builder is not None else None

    def pool(self, pair: str) -> PoolState | None:
        return self.pools.get(pair)

    def price(self, pair: str) -> float | None:
        pool = self.pools.get(pair)
        if pool is None or pool.reserve_token <= 0:
            return None
        return pool.reserve_quote / pool.reserve_token

    def set_series(self, tables: Mapping[str, SeriesTable]) -> None:
        """Install whole-series columns (a backtest's driver, before the replay)."""
        self._series.update(tables)

    def has_series(self, pair: str) -> bool:
        """True when ``pair`` has whole-series columns (read them with series_value)."""
        return pair in self._series

    def series_value(self, pair: str, name: str) -> Any:
        """``name``'s value at ``pair``'s last closed candle, from :attr:`series`; None
        before the first close or for a candle the table does not hold. Raises KeyError
        for a column the table lacks."""
        table = self._series.get(pair)
        box = self._candles.get(pair)
        if table is None or not box:
            return None
        i = table.index.get(box[-1].ts)
        return None if i is None else table.columns[name][i]

    def holding(self, token: str) -> int:
        return self.portfolio.positions.get(token, 0)
