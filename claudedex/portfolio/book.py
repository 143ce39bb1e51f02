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


@dataclass(frozen=True, slots=True)
class FillEffect:
    """What one fill added to the book (quote/token base units), so it can be taken back
    exactly when a reorg removes it: every field here is additive."""

    token: str
    amount: int
    cost_quote: int
    realized_quote: int
    realized: int
    cash: int
    gas_paid: int


class Book:
    """Cash and positions; fills are the only thing that change them (a reorg may take one
    back: :meth:`revert_fill`)."""

    def __init__(self, starting_cash: int) -> None:
        self.cash = starting_cash
        self.positions: dict[str, Position] = {}
        self.realized = 0
        self.gas_paid = 0
        self.fills = 0
        self.effects: dict[str, FillEffect] = {}  # order id -> its fill's effect
        # token -> (amount, cost) a rollback's clamp at zero held back: a deep reorg takes
        # back a buy and its partial sell in whichever order their watches notice, and the
        # book must end the same either way (see revert_fill)
        self._held_back: dict[str, tuple[int, int]] = {}

    def apply_order_fill(self, order_id: str, token: str, side: Side, amount_in: int,
                         amount_out: int, gas_cost_wei: int, ts: float,
                         pair: str = "") -> Position:
        """:meth:`apply_fill`, remembering its effect under ``order_id`` for a rollback."""
        before = self.positions.get(token)
        amount, cost, pos_realized = ((before.amount, before.cost_quote, before.realized_quote)
                                      if before is not None else (0, 0, 0))
        realized, cash, gas = self.realized, self.cash, self.gas_paid
        pos = self.apply_fill(token, side, amount_in, amount_out, gas_cost_wei, ts, pair)
        self.effects[order_id] = FillEffect(
            token, pos.amount - amount, pos.cost_quote - cost, pos.realized_quote - pos_realized,
            self.realized - realized, self.cash - cash, self.gas_paid - gas)
        return pos

    def revert_fill(self, order_id: str, token: str, side: Side, amount_in: int,
                    amount_out: int, gas_cost_wei: int) -> Position:
        """Take back the fill of ``order_id`` (its block left the chain).

        Exact when the fill was applied with :meth:`apply_order_fill` in this process; a
        fill replayed from storage is taken back from its own numbers (a sell's cost basis
        then comes back at the position's average cost, or at its proceeds when closed).
        """
        effect = self.effects.pop(order_id, None) or self._inverse(
            token, side, amount_in, amount_out, gas_cost_wei)
        pos = self.positions.get(effect.token)
        if pos is None:
            pos = self.positions[effect.token] = Position(effect.token)
        # Rollbacks are exact subtractions of additive effects, so any order of them ends
        # in the same book; a position is never shown below zero, and what the clamp holds
        # back meanwhile is kept and netted against the next rollback of this token.
        held_amount, held_cost = self._held_back.pop(effect.token, (0, 0))
        amount = pos.amount + held_amount - effect.amount
        cost = pos.cost_quote + held_cost - effect.cost_quote
        pos.amount = max(0, amount)
        pos.cost_quote = max(0, cost) if pos.amount else 0
        if (amount, cost) != (pos.amount, pos.cost_quote):
            self._held_back[effect.token] = (amount - pos.amount, cost - pos.cost_quote)
        pos.realized_quote -= effect.realized_quote
        self.realized -= effect.realized
        self.cash -= effect.cash
        self.gas_paid -= effect.gas_paid
        self.fills = max(0, self.fills - 1)
        if pos.amount == 0:
            pos.last_mark = 0
        return pos

    def _inverse(self, token: str, side: Side, amount_in: int, amount_out: int,
                 gas: int) -> FillEffect:
        if side is Side.BUY:
            return FillEffect(token, amount_out, amount_in, -gas, -gas, -amount_in - gas, gas)
        pos = self.positions.get(token)
        cost = (pos.cost_quote * amount_in // pos.amount if pos is not None and pos.amount
                else amount_out - gas)
        pnl = amount_out - cost - gas
        return FillEffect(token, -amount_in, -cost, pnl, pnl, amount_out - gas, gas)

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
        if pos.amount:  # marks are the holding's value: the part still held keeps its share
            pos.peak_mark = pos.peak_mark * (pos.amount - sold) // pos.amount
            pos.last_mark = pos.last_mark * (pos.amount - sold) // pos.amount
        pos.amount -= sold
        if pos.amount == 0:
            pos.cost_quote = 0
            pos.last_mark = 0
        self.cash += amount_out
        return pos

    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.amount > 0]
