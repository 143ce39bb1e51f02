"""The report's figures over long curves: numpy screens the marks, the figures stay the loops'.

:func:`claudedex.backtest.metrics.drawdown` and :func:`daily_returns` take arrays for
curves of :data:`FAST_FROM` marks or more; these compare them, bit for bit and type for
type, with the plain loops on random curves built to be hard for floats: wei values near
1e22 (one float holds some two million integers there, so many marks tie), flat runs, new
peaks equal to the old one, zero and negative equity, unsorted and integer times. The
report's plots read the curve in one pass too (``metrics.pair_array``): the same floats.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import claudedex.backtest.metrics as metrics
from claudedex.backtest.metrics import DAY_S, compute
from claudedex.backtest.replay import BacktestResult

BIG = 10**22  # wei: far beyond the integers a float holds exactly

value = st.one_of(
    st.integers(-3_000_000, 3_000_000).map(lambda d: BIG + d),  # many share one float
    st.integers(0, 4).map(lambda k: BIG * k // 2),
    st.integers(-10**6, 10**6),  # small, zero and negative equity
    st.floats(-1e22, 1e23, allow_nan=False, allow_infinity=False),  # floats are exact too
)
runs = st.lists(st.tuples(value, st.integers(1, 6)), min_size=1, max_size=120)
gap = st.sampled_from([0.0, 0.5, 300.0, 3_600.0, 86_399.5, 86_400.0, 200_000.0])


@st.composite
def curves(draw: Any) -> list[tuple[Any, Any]]:
    """(time, value) marks: values in flat runs; times rising (sometimes by nothing),
    sometimes anywhere, sometimes integers."""
    values = [v for v, k in draw(runs) for _ in range(k)]
    kind = draw(st.sampled_from(["rising", "anywhere", "ints"]))
    if kind == "anywhere":
        times: list[Any] = draw(st.lists(st.floats(-1e6, 4e9), min_size=len(values),
                                         max_size=len(values)))
    else:
        t = draw(st.floats(0, 2e9))
        times = []
        for _ in values:
            t += draw(gap)
            times.append(int(t) if kind == "ints" else t)
    return list(zip(times, values, strict=True))


def screened(eq: list[tuple[Any, Any]]) -> Any:
    """``eq``'s curve arrays, as a long curve would have them."""
    with mock.patch.object(metrics, "FAST_FROM", 1):
        return metrics._curve(eq)


@settings(max_examples=400, deadline=None)
@given(curves())
def test_drawdown_from_the_arrays_is_the_loops(eq: list[tuple[Any, Any]]) -> None:
    curve = screened(eq)
    assert curve is not None
    got = metrics._drawdown(eq, curve)
    want = metrics._drawdown_loop(eq)
    assert repr(got) == repr(want)  # -0.0 and 0.0, 5 and 5.0 differ here
    assert [type(x) for x in got] == [type(x) for x in want]


@settings(max_examples=300, deadline=None)
@given(curves(), st.integers(-10, 10**23))
def test_daily_returns_from_the_arrays_are_the_loops(eq: list[tuple[Any, Any]],
                                                      start: int) -> None:
    curve = screened(eq)
    assert curve is not None
    got = metrics._daily_returns(eq, start, curve)
    assert repr(got) == repr(metrics._daily_returns(eq, start, None))


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.floats(-2.0**53, 2.0**53, allow_nan=False),
                 st.integers(-2**53 + 1, 2**53 - 1)))
def test_numpy_floor_divide_is_the_day_python_gives(ts: Any) -> None:
    day = np.floor_divide(np.array([ts], dtype=np.float64), DAY_S)[0]
    assert int(day) == int(ts // DAY_S)


def test_curves_the_arrays_cannot_hold_take_the_loops() -> None:
    n = metrics.FAST_FROM
    assert metrics._curve([(float(i), 10**400) for i in range(n)]) is None  # beyond floats
    assert metrics._curve([(float(i), 5) for i in range(n - 1)]) is None  # short
    assert metrics._curve([(float("nan"), 5)] * n) is None
    assert metrics._curve([(2.0**60, 5)] * n) is None  # times beyond exact integers
    triples: Any = [(float(i), 5, 6) for i in range(n)]
    assert metrics._curve(triples) is None  # not pairs
    assert metrics._curve([(float(i), 5) for i in range(n)]) is not None
    huge = [(float(i), -(10**308) if i % 2 else 10**308) for i in range(n)]
    curve = metrics._curve(huge)
    assert curve is not None and metrics._drawdown_screened(curve) is None  # float inf
    assert metrics.drawdown(huge) == metrics._drawdown_loop(huge) == (2.0, 2.0)


@settings(max_examples=60, deadline=None)
@given(curves())
def test_compute_is_the_same_with_and_without_the_arrays(eq: list[tuple[Any, Any]]) -> None:
    r = BacktestResult(BIG)
    r.equity = [(float(t), int(v)) for t, v in eq]  # as the replay records them
    r.exposed = [i % 3 == 0 for i in range(len(eq))]
    with mock.patch.object(metrics, "FAST_FROM", 1):
        fast = compute(r)
    with mock.patch.object(metrics, "FAST_FROM", 10**9):
        plain = compute(r)
    assert repr(fast) == repr(plain)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=False), st.one_of(
    st.integers(-2**70, 2**70), st.integers(2**62, 2**65), st.floats())), max_size=50))
def test_report_pairs_are_what_asarray_gives(rows: list[tuple[float, Any]]) -> None:
    """metrics.pair_array (one pass) rounds each number as np.asarray of its column does."""
    from claudedex.backtest.metrics import pair_array

    got = pair_array(rows)
    want = np.column_stack([np.asarray([t for t, _ in rows], dtype=np.float64),
                            np.asarray([v for _, v in rows], dtype=np.float64)])
    assert got.shape == (len(rows), 2)
    assert got.view(np.int64).tolist() == want.reshape(len(rows), 2).view(np.int64).tolist()
