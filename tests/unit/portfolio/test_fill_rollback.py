"""A fill a reorg removed is taken back from the book exactly (position, cost, P&L, cash)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from claudedex.domain import Side
from claudedex.portfolio.book import Book

TOKEN = "0xtoken"
fill = st.tuples(st.sampled_from([Side.BUY, Side.SELL]), st.integers(1, 10**20),
                 st.integers(1, 10**20), st.integers(0, 10**16))


def state(book: Book) -> tuple[object, ...]:
    pos = book.positions.get(TOKEN)
    held = (pos.amount, pos.cost_quote, pos.realized_quote) if pos is not None else (0, 0, 0)
    return (*held, book.cash, book.realized, book.gas_paid, book.fills)


@given(fills=st.lists(fill, max_size=8), last=fill)
def test_rolling_back_the_latest_fill_restores_the_book_exactly(fills: list, last: tuple) -> None:
    book = Book(10**21)
    for i, (side, a_in, a_out, gas) in enumerate(fills):
        book.apply_order_fill(f"o{i}", TOKEN, side, a_in, a_out, gas, 0.0)
    before = state(book)
    side, a_in, a_out, gas = last
    book.apply_order_fill("latest", TOKEN, side, a_in, a_out, gas, 0.0)
    book.revert_fill("latest", TOKEN, side, a_in, a_out, gas)
    assert state(book) == before


def test_a_replayed_buy_is_rolled_back_from_its_own_numbers() -> None:
    book = Book(10**19)
    book.apply_fill(TOKEN, Side.BUY, 10**17, 5 * 10**20, 10**15, 0.0)  # replayed: no order id
    book.revert_fill("o-unknown", TOKEN, Side.BUY, 10**17, 5 * 10**20, 10**15)
    assert state(book) == (0, 0, 0, 10**19, 0, 0, 0)
