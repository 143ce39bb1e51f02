"""The one strategy interface, for live runs and backtests alike.

Why so narrow: a strategy reads the market view (read-only, :mod:`claudedex.market.reader`)
and the clock, and returns Signals. It has no
handle on the chain, the wall clock or storage, so it cannot behave differently in a
backtest than live: only what it is shown differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from claudedex.clock import Clock
from claudedex.domain import Signal
from claudedex.errors import UserInputError
from claudedex.market.candles import Candle, candle_array
from claudedex.market.reader import MarketReading
from claudedex.strategy.params import RUNNER_KEYS, RunnerParams

if TYPE_CHECKING:  # pandas loads only for vectorised strategies (a live engine may not)
    import numpy as np
    import pandas as pd


class Strategy:
    """Base class: subclasses set ``name`` and implement :meth:`evaluate`.

    A built-in sets ``params_model`` (its typed parameters, checked here and when the
    profile loads) and ``defaults`` from it; a strategy from the operator's own file may set
    only ``defaults``, whose keys are then the only ones it accepts.

    ``startup_candle_count`` (Freqtrade's name) is the strategy's warm-up: the Decider drops
    its signals for a pair until that many candles of the pair have closed (the first signal
    can come with the next one), in live runs and backtests alike, so a result never depends
    on how much history came before; 0 (the default) means no warm-up at all.

    A *vectorised* strategy (``vectorised = True``, Freqtrade's way) computes its indicator
    columns once over a whole candle frame in :meth:`indicators` (numpy/pandas) and reads
    them in :meth:`evaluate` with :meth:`indicator`, which gives the value at the view's last
    closed candle only (a backtest's table is never read ahead of the clock; live, the
    columns are recomputed over the view's candles when one closes). Its ``enter`` column
    is a promise the backtest relies on to skip quiet candles: while nothing of the pair's
    token is held, ordered or proposed, :meth:`evaluate` returns no signal unless ``enter``
    is true at the last closed candle (see :mod:`claudedex.backtest.fastpath`). An optional
    ``exit`` column promises the same while the token is held (ticks then skip the bus).
    """

    name: ClassVar[str] = "base"
    defaults: ClassVar[Mapping[str, Any]] = {}
    params_model: ClassVar[type[RunnerParams] | None] = None
    startup_candle_count: int = 0  # candles per pair before the first signal
    vectorised: ClassVar[bool] = False  # columns from indicators(); "enter" gates signals

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        if self.params_model is not None:
            _check(self.name, self.params_model, params or {})
        merged = dict(self.defaults)
        for key, value in (params or {}).items():
            if key in RUNNER_KEYS:
                continue
            if key not in merged:
                known = ", ".join(sorted(merged)) or "none"
                raise UserInputError(
                    f"strategy {self.name}: unknown parameter '{key}' (known: {known})"
                )
            merged[key] = value
        self.params: dict[str, Any] = merged

    def evaluate(self, pair: str, view: MarketReading, clock: Clock) -> list[Signal]:
        """Called after every price update of ``pair``; returns zero or more signals."""
        raise NotImplementedError

    def indicators(self, frame: pd.DataFrame) -> Mapping[str, Any]:
        """Vectorised strategies: columns over ``frame`` (see :func:`candle_frame`: one row
        per closed candle, oldest first), each as long as the frame and using no row after
        its own; must include a boolean ``enter``."""
        raise NotImplementedError

    def indicator(self, view: MarketReading, pair: str, name: str) -> Any:
        """Column ``name`` at ``pair``'s last closed candle; None before any closed."""
        if view.has_series(pair):  # a backtest's table over its whole file
            return view.series_value(pair, name)
        count = view.candle_count(pair)
        if count == 0:
            return None
        cache = self.__dict__.setdefault("_window_columns", {})
        hit = cache.get(pair)
        if hit is None or hit[0] != count:  # live: over the candles the view holds
            frame = candle_frame(view.candles(pair), view.candle_interval_s)
            hit = cache[pair] = (count, self.indicators(frame))
        return hit[1][name][-1]

    def signal(
        self, pair: str, token: str, side: str, reason: str, strength: float = 1.0
    ) -> Signal:
        from claudedex.domain import Side

        return Signal(
            strategy=self.name,
            token=token,
            pair=pair,
            side=Side(side),
            reason=reason,
            strength=Decimal(str(round(strength, 6))),
        )


def candle_frame(candles: Sequence[Candle], interval_s: float) -> pd.DataFrame:
    """Candles as a frame with float columns ts (open time, s), open, high, low, close,
    volume (row 0: the oldest) and ``attrs["interval_s"]``: what :meth:`Strategy.indicators`
    takes."""
    return rows_frame(candle_array(candles), interval_s)


def rows_frame(rows: np.ndarray, interval_s: float) -> pd.DataFrame:
    """:func:`candle_frame` of candles given as :func:`~claudedex.market.candles.candle_array`
    rows ((n, 6) floats, field order); the frame holds ``rows`` itself, not a copy."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(Candle._fields))
    frame.attrs["interval_s"] = interval_s
    return frame


def frame_candles(frame: pd.DataFrame) -> list[Candle]:
    """The frame's rows back as candles (for indicators folded candle by candle)."""
    cols = [frame[k].tolist() for k in ("ts", "open", "high", "low", "close", "volume")]
    return [Candle(*row) for row in zip(*cols, strict=True)]


def _check(name: str, model: type[RunnerParams], params: Mapping[str, Any]) -> None:
    """One line naming the parameter and what was expected (``--param`` overrides too)."""
    try:
        model.model_validate(dict(params))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        if not key:  # a rule across keys (ema_fast below ema_slow)
            raise UserInputError(f"strategy {name}: {msg}") from None
        if err["type"] == "extra_forbidden":
            known = ", ".join(sorted(set(model.model_fields) - RUNNER_KEYS)) or "none"
            raise UserInputError(
                f"strategy {name}: unknown parameter '{key}' (known: {known})") from None
        raise UserInputError(f"strategy {name}: parameter '{key}': {msg} "
                             f"(got {err.get('input')!r})") from None
