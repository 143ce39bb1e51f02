"""Backtest: recorded swaps or candles replayed through the live kernel on a simulated venue."""

from claudedex.backtest.replay import Backtest, BacktestResult
from claudedex.backtest.simvenue import SimConfig

__all__ = ["Backtest", "BacktestResult", "SimConfig"]
