"""What a strategy reads of the market view: the view's readings, none of its writers.

Why: the decider hands the strategy the view that the risk manager then judges its
signals on. The view's portfolio snapshot holds our positions, their marks, the quote
committed to buys in flight and the exits pending; the risk limits (open positions,
exposure, drawdown, the daily loss) are computed from it. A strategy that wrote to it
(``view.portfolio.committed.clear()``, ``positions[token] = 0``), by mistake or to make a
backtest look better, would move those limits in live trading as much as in the replay.
A strategy therefore gets a :class:`ViewReader`: every reading of the view, its mappings
as read-only proxies (they follow the view; nothing is copied per tick), a pool's state
as a copy, its candles as a read-only sequence, its clock read-only, and no method that
changes anything. It guards against mistakes and shortcuts, not against code that means
harm: a strategy file runs in the engine's process (``_view`` is one attribute away).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from copy import copy
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, overload

from claudedex.clock import Clock
from claudedex.domain import RiskReport, Score
from claudedex.market.candles import Candle

if TYPE_CHECKING:
    from claudedex.market.view import MarketView, PoolState, PortfolioSnapshot


class PortfolioReading(Protocol):
    """The portfolio snapshot's readings (quote in wei, token amounts in base units)."""

    @property
    def equity_quote(self) -> int: ...
    @property
    def cash_quote(self) -> int: ...
    @property
    def peak_equity_quote(self) -> int: ...
    @property
    def day_start_equity_quote(self) -> int: ...
    @property
    def day_index(self) -> int: ...
    @property
    def positions(self) -> Mapping[str, int]: ...
    @property
    def position_value(self) -> Mapping[str, int]: ...
    @property
    def committed(self) -> Mapping[str, int]: ...
    @property
    def exiting(self) -> Mapping[str, str]: ...


class MarketReading(Protocol):
    """What :meth:`claudedex.strategy.base.Strategy.evaluate` may read: a
    :class:`ViewReader` in the engine, or a whole :class:`MarketView` in a test."""

    @property
    def clock(self) -> Clock: ...
    @property
    def candle_interval_s(self) -> float: ...
    @property
    def max_candles(self) -> int: ...
    @property
    def base_fee_wei(self) -> int: ...
    @property
    def portfolio(self) -> PortfolioReading: ...
    @property
    def pools(self) -> Mapping[str, PoolState]: ...
    @property
    def pair_token(self) -> Mapping[str, str]: ...
    @property
    def token_pair(self) -> Mapping[str, str]: ...
    @property
    def symbols(self) -> Mapping[str, str]: ...
    @property
    def reports(self) -> Mapping[str, RiskReport]: ...
    @property
    def scores(self) -> Mapping[str, Score]: ...
    @property
    def pump(self) -> Mapping[str, float]: ...

    def candles(self, pair: str) -> Sequence[Candle]: ...
    def candle_count(self, pair: str) -> int: ...
    def forming(self, pair: str) -> Candle | None: ...
    def pool(self, pair: str) -> PoolState | None: ...
    def price(self, pair: str) -> float | None: ...
    def has_series(self, pair: str) -> bool: ...
    def series_value(self, pair: str, name: str) -> Any: ...
    def holding(self, token: str) -> int: ...


class CandlesReader(Sequence[Candle]):
    """A read-only window on a view's candle deque (no copy): index, iterate, count."""

    __slots__ = ("_box",)

    def __init__(self, box: Sequence[Candle]) -> None:
        self._box = box

    @overload
    def __getitem__(self, i: int) -> Candle: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Candle]: ...

    def __getitem__(self, i: int | slice) -> Candle | Sequence[Candle]:
        if isinstance(i, slice):
            return tuple(self._box)[i]
        return self._box[i]

    def __len__(self) -> int:
        return len(self._box)

    def __iter__(self) -> Iterator[Candle]:
        return iter(self._box)

    def __reversed__(self) -> Iterator[Candle]:
        return reversed(self._box)


class PoolsReader(Mapping[str, "PoolState"]):
    """The view's pools, each read as a copy: the view updates a pool's state in place,
    so handing out its own object would let a reader change the reserves risk reads."""

    __slots__ = ("_pools",)

    def __init__(self, pools: dict[str, PoolState]) -> None:
        self._pools = pools

    def __getitem__(self, pair: str) -> PoolState:
        return copy(self._pools[pair])

    def __iter__(self) -> Iterator[str]:
        return iter(self._pools)

    def __len__(self) -> int:
        return len(self._pools)


class PortfolioReader:
    """A :class:`PortfolioSnapshot` that can be read, not written."""

    __slots__ = ("_snap",)
    _snap: PortfolioSnapshot

    def __init__(self, snap: PortfolioSnapshot) -> None:
        self._snap = snap

    def __setattr__(self, name: str, value: object) -> None:
        if name != "_snap":
            raise AttributeError(f"the portfolio is read-only to a strategy ({name!r})")
        object.__setattr__(self, name, value)

    @property
    def equity_quote(self) -> int:
        return self._snap.equity_quote

    @property
    def cash_quote(self) -> int:
        return self._snap.cash_quote

    @property
    def peak_equity_quote(self) -> int:
        return self._snap.peak_equity_quote

    @property
    def day_start_equity_quote(self) -> int:
        return self._snap.day_start_equity_quote

    @property
    def day_index(self) -> int:
        return self._snap.day_index

    @property
    def positions(self) -> Mapping[str, int]:
        return MappingProxyType(self._snap.positions)

    @property
    def position_value(self) -> Mapping[str, int]:
        return MappingProxyType(self._snap.position_value)

    @property
    def committed(self) -> Mapping[str, int]:
        return MappingProxyType(self._snap.committed)

    @property
    def exiting(self) -> Mapping[str, str]:
        return MappingProxyType(self._snap.exiting)


class ViewReader:
    """Every reading of a :class:`MarketView` and nothing that writes to it."""

    __slots__ = ("_view", "_portfolio", "_mappings")
    _view: MarketView
    _portfolio: PortfolioReader | None
    _mappings: dict[str, tuple[dict[str, Any], Mapping[str, Any]]]

    def __init__(self, view: MarketView) -> None:
        object.__setattr__(self, "_view", view)
        object.__setattr__(self, "_portfolio", None)
        object.__setattr__(self, "_mappings", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"the market view is read-only to a strategy ({name!r})")

    def _mapping(self, name: str, target: dict[str, Any]) -> Mapping[str, Any]:
        """A proxy of the view's dict ``name``, made again only when the view replaced it."""
        held = self._mappings.get(name)
        if held is None or held[0] is not target:
            held = self._mappings[name] = (target, MappingProxyType(target))
        proxy: Mapping[str, Any] = held[1]
        return proxy

    @property
    def clock(self) -> Clock:
        return self._view.clock  # already read-only (ReadOnlyClock)

    @property
    def candle_interval_s(self) -> float:
        return self._view.candle_interval_s

    @property
    def max_candles(self) -> int:
        return self._view.max_candles

    @property
    def base_fee_wei(self) -> int:
        return self._view.base_fee_wei

    @property
    def portfolio(self) -> PortfolioReader:
        snap = self._view.portfolio
        held = self._portfolio
        if held is None or held._snap is not snap:
            held = PortfolioReader(snap)
            object.__setattr__(self, "_portfolio", held)
        return held

    @property
    def pools(self) -> Mapping[str, PoolState]:
        return PoolsReader(self._view.pools)

    @property
    def pair_token(self) -> Mapping[str, str]:
        return self._mapping("pair_token", self._view.pair_token)

    @property
    def token_pair(self) -> Mapping[str, str]:
        return self._mapping("token_pair", self._view.token_pair)

    @property
    def symbols(self) -> Mapping[str, str]:
        return self._mapping("symbols", self._view.symbols)

    @property
    def reports(self) -> Mapping[str, RiskReport]:
        return self._mapping("reports", self._view.reports)

    @property
    def scores(self) -> Mapping[str, Score]:
        return self._mapping("scores", self._view.scores)

    @property
    def pump(self) -> Mapping[str, float]:
        return self._mapping("pump", self._view.pump)

    def candles(self, pair: str) -> Sequence[Candle]:
        return CandlesReader(self._view.candles(pair))

    def candle_count(self, pair: str) -> int:
        return self._view.candle_count(pair)

    def forming(self, pair: str) -> Candle | None:
        return self._view.forming(pair)

    def pool(self, pair: str) -> PoolState | None:
        found = self._view.pool(pair)
        return None if found is None else copy(found)

    def price(self, pair: str) -> float | None:
        return self._view.price(pair)

    def has_series(self, pair: str) -> bool:
        return self._view.has_series(pair)

    def series_value(self, pair: str, name: str) -> Any:
        return self._view.series_value(pair, name)

    def holding(self, token: str) -> int:
        return self._view.holding(token)


__all__ = ["CandlesReader", "MarketReading", "PoolsReader", "PortfolioReader",
           "PortfolioReading", "ViewReader"]
