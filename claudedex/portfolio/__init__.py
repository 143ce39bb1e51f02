"""Portfolio: positions from fills, exact P&L, exits, and the engine component."""

from claudedex.portfolio.book import Book, Position
from claudedex.portfolio.core import EXIT_STRATEGY, Marks, Portfolio
from claudedex.portfolio.exits import ExitRules

__all__ = ["EXIT_STRATEGY", "Book", "ExitRules", "Marks", "Portfolio", "Position"]
