"""Strategies: MarketView + Clock in, Signals out."""

from claudedex.strategy.base import Strategy
from claudedex.strategy.registry import BUILTIN, build_strategy, load_strategy_file

__all__ = ["BUILTIN", "Strategy", "build_strategy", "load_strategy_file"]
