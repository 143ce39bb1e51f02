"""What strategies, risk and portfolio may know about the market: a view bounded by the clock."""

from claudedex.market.candles import Candle, CandleBuilder
from claudedex.market.view import LookaheadError, MarketView, PoolState

__all__ = ["Candle", "CandleBuilder", "LookaheadError", "MarketView", "PoolState"]
