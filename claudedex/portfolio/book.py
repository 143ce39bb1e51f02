"""Positions from fills, at average cost, with realized P&L in quote base units.

Why integers only: a position's cost and proceeds are what the chain moved, to the wei.
Gas is charged to realized P&L when it is paid, so a round trip's P&L is what the wallet
actually gained or lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from claudedex.domain import Side


@dataclass(slots=True)
class Position:
    token: str
    pair: str = ""
    amount: int = 0  # token base units held
    cost_quote: int = 0  # quote base units paid for the amount still held (average cost)
    realized_quote: int = 0  # closed P&L incl. gas, quote base units
    opened_ts: float = 0.0
    peak_mark: int = 0  # highest mark since opening (trailing stop)
    ladder_done: int = 0  # take-profit ladder steps already taken
    last_mark: int = 0


class Book:
    """Cash and positions; fills are the only thing that change them."""

    def __init__(self, starting_cash: int) -> None:
        self.cash = starting_cash
        self.positions: dict[str, Position] = {}
        self.realized = 0
        self.gas_paid = 0
        self.fills = 0

    def apply_fill(
        self,
        token: str,
        side: Side,
        amount_in: int,
        amount_out: int,
        gas_cost_wei: int,
        ts: float,
        pair: str = "",
    ) -> Position:
        pos = self.positions.get(token)
        if pos is None:
            pos = self.positions[token] = Position(token, pair)
        if pair and not pos.pair:
            pos.pair = pair
        self.gas_paid += gas_cost_wei
        self.cash -= gas_cost_wei
        self.fills += 1
        if side is Side.BUY:
            if pos.amount == 0:
                pos.opened_ts = ts
                pos.peak_mark = 0
                pos.ladder_done = 0
            pos.amount += amount_out
            pos.cost_quote += amount_in
            pos.realized_quote -= gas_cost_wei
            self.realized -= gas_cost_wei
            self.cash -= amount_in
            return pos
        sold = min(amount_in, pos.amount)
        cost_part = pos.cost_quote * sold // pos.amount if pos.amount else 0
        pnl = amount_out - cost_part - gas_cost_wei
        pos.realized_quote += pnl
        self.realized += pnl
        pos.cost_quote -= cost_part
        pos.amount -= sold
        if pos.amount == 0:
            pos.cost_quote = 0
            pos.last_mark = 0
        self.cash += amount_out
        return pos

    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.amount > 0]
