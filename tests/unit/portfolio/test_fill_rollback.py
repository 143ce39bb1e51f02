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


def test_a_reorg_removing_a_buy_and_its_partial_exit_restores_the_book_in_either_order() -> None:
    """Red-team reproduction: a deep reorg removed a buy and the take-profit sell of half of
    it; each order's watch rolls its own fill back, in whichever order they notice. Taken
    back buy first, the clamps (amount, cost at 0) lost the sell's share and the sell's
    rollback then left a phantom 50-token position with 0.5 ETH of cost."""
    for order in (("buy", "sell"), ("sell", "buy")):
        book = Book(10**21)
        start = state(book)
        book.apply_order_fill("buy", TOKEN, Side.BUY, 10**18, 100 * 10**18, 10**15, 0.0)
        book.apply_order_fill("sell", TOKEN, Side.SELL, 50 * 10**18, 6 * 10**17, 10**15, 1.0)
        args = {"buy": (Side.BUY, 10**18, 100 * 10**18, 10**15),
                "sell": (Side.SELL, 50 * 10**18, 6 * 10**17, 10**15)}
        for oid in order:
            book.revert_fill(oid, TOKEN, *args[oid])
        assert state(book) == start, order
        assert book.open_positions() == []


@given(fills=st.lists(fill, min_size=1, max_size=6), data=st.data())
def test_rolling_back_every_fill_in_any_order_restores_the_book(fills: list,
                                                                 data: st.DataObject) -> None:
    book = Book(10**21)
    start = state(book)
    for i, (side, a_in, a_out, gas) in enumerate(fills):
        book.apply_order_fill(f"o{i}", TOKEN, side, a_in, a_out, gas, 0.0)
    for i in data.draw(st.permutations(range(len(fills)))):
        side, a_in, a_out, gas = fills[i]
        book.revert_fill(f"o{i}", TOKEN, side, a_in, a_out, gas)
    assert state(book) == start
