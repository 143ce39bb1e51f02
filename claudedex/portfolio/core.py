"""The portfolio core shared by the live tracker and the backtest.

Why one core: fills, marks, exits and the breaker must behave identically in both, so the
bus component and the backtest replay are thin shells around this class.
"""

from __future__ import annotations

from dataclasses import dataclass

from claudedex.amm import get_amount_out
from claudedex.domain import Side, Signal
from claudedex.market.view import MarketView
from claudedex.portfolio.book import Book, Position
from claudedex.portfolio.exits import ExitRules
from claudedex.portfolio.retries import ExitRetries
from claudedex.risk.breaker import Breaker
from claudedex.risk.context import RiskSettings

EXIT_STRATEGY = "exit"  # TradeProposal.strategy of every exit: auto-approve rules may key on it
EXIT_RETRY_S = 60.0


@dataclass(frozen=True, slots=True)
class Marks:
    equity: int
    realized: int
    unrealized: int
    halt_reason: str = ""


class Portfolio:
    def __init__(self, settings: RiskSettings, rules: ExitRules, starting_cash: int) -> None:
        self.settings = settings
        self.rules = rules
        self.book = Book(starting_cash)
        self.breaker = Breaker(settings)
        self._exit_pending: dict[str, float] = {}
        self.retries = ExitRetries()
        self.starting_cash = starting_cash

    # -- inputs -----------------------------------------------------------------------

    def on_fill(
        self,
        token: str,
        side: Side,
        amount_in: int,
        amount_out: int,
        gas: int,
        now: float,
        pair: str = "",
        *,
        order_id: str = "",
    ) -> Position:
        """Book one fill; with ``order_id`` it can later be taken back (:meth:`revert_fill`)."""
        if order_id:
            pos = self.book.apply_order_fill(order_id, token, side, amount_in, amount_out, gas,
                                             now, pair)
        else:
            pos = self.book.apply_fill(token, side, amount_in, amount_out, gas, now, pair)
        if side is Side.SELL:
            self._exit_pending.pop(token, None)
            self.retries.cleared(token)
        return pos

    def revert_fill(self, order_id: str, token: str, side: Side, amount_in: int,
                    amount_out: int, gas: int) -> Position:
        """Take back a fill a reorg removed (see :meth:`Book.revert_fill`)."""
        return self.book.revert_fill(order_id, token, side, amount_in, amount_out, gas)

    def mark_position(self, pos: Position, view: MarketView) -> int:
        """What selling the whole position now would return (our own impact included).

        With no pool reserves seen yet the position is carried at its last mark, or at cost
        before its first: a price nobody has seen is not a price of zero (which would fire
        the stop-loss and trip the drawdown breaker on every fresh fill).
        """
        pair = view.token_pair.get(pos.token) or pos.pair  # the deepest pool: the exit's price
        pool = view.pools.get(pair)
        if pos.amount <= 0:
            return 0
        if pool is None or pool.reserve_token <= 0 or pool.reserve_quote <= 0:
            return pos.last_mark or pos.cost_quote
        mark = get_amount_out(
            pos.amount, pool.reserve_token, pool.reserve_quote, self.settings.fee_bps
        )
        pos.last_mark = mark
        if mark > pos.peak_mark:
            pos.peak_mark = mark
        return mark

    def mark(self, view: MarketView, now: float) -> Marks:
        """Re-mark every open position, refresh the view's snapshot, feed the breaker."""
        unrealized = 0
        value = 0
        snap = view.portfolio
        snap.positions.clear()
        snap.position_value.clear()
        for pos in self.book.positions.values():
            if pos.amount <= 0:
                continue
            m = self.mark_position(pos, view)
            value += m
            unrealized += m - pos.cost_quote
            snap.positions[pos.token] = pos.amount
            snap.position_value[pos.token] = m
        equity = self.book.cash + value
        reason = self.breaker.observe(equity, now)
        snap.equity_quote = equity
        snap.cash_quote = self.book.cash
        snap.peak_equity_quote = self.breaker.peak
        snap.day_start_equity_quote = self.breaker.day_start
        return Marks(equity, self.book.realized, unrealized, reason)

    # -- exits ------------------------------------------------------------------------

    def _exit(self, pos: Position, reason: str, amount: int, now: float,
              pair: str = "", *, urgent: bool = False) -> Signal | None:
        since = self._exit_pending.get(pos.token)
        if since is not None and now - since < EXIT_RETRY_S:
            return None
        if not urgent and self.retries.waiting(pos.token, now):
            return None
        self._exit_pending[pos.token] = now
        if reason.startswith("take_profit"):
            pos.ladder_done += 1
        return Signal(
            strategy=EXIT_STRATEGY,
            token=pos.token,
            pair=pair or pos.pair,
            side=Side.SELL,
            reason=reason,
            amount_in=amount,
        )

    def exits(self, view: MarketView, now: float, only: str | None = None) -> list[Signal]:
        """Exit signals for positions whose rules fire (``only``: a single token)."""
        out: list[Signal] = []
        for pos in self.book.positions.values():
            if pos.amount <= 0 or (only is not None and pos.token != only):
                continue
            hit = self.rules.check(pos, pos.last_mark or self.mark_position(pos, view), now)
            if hit is not None:
                sig = self._exit(pos, hit[0], hit[1], now,
                                 view.token_pair.get(pos.token) or pos.pair)
                if sig is not None:
                    out.append(sig)
        return out

    def exit_failed(self, token: str, reason: str, now: float | None = None,
                    why: str = "") -> None:
        """The exit for ``token`` failed or was refused: its rule may fire again after a
        backoff (when ``now`` is given), and a take-profit rung it consumed is given back
        instead of being skipped."""
        self._exit_pending.pop(token, None)
        if now is not None:
            self.retries.failed(token, why or reason, now)
        pos = self.book.positions.get(token)
        if pos is not None and reason.startswith("take_profit") and pos.ladder_done > 0:
            pos.ladder_done -= 1

    def anti_rug(self, token: str, kind: str, now: float) -> Signal | None:
        """A mempool warning about a held token: sell everything, ahead of the rug."""
        pos = self.book.positions.get(token)
        if pos is None or pos.amount <= 0:
            return None
        self._exit_pending.pop(token, None)
        return self._exit(pos, f"anti_rug: {kind}", pos.amount, now, urgent=True)
