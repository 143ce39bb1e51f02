"""Backtest: replay recorded swaps or candles through the live strategy/risk/portfolio code."""

from claudedex.backtest.replay import Backtest, BacktestResult
from claudedex.backtest.venue import VenueConfig

__all__ = ["Backtest", "BacktestResult", "VenueConfig"]
