"""Column types keep money exact: uint256 ints and Decimals never pass through a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from claudedex.storage.types import BigInt, ExactDecimal

U256_MAX = 2**256 - 1
SQLITE = sqlite.dialect()
PG = postgresql.dialect()


@pytest.mark.parametrize("value", [0, 1, -1, 2**63, 2**64 + 1, U256_MAX, -(2**255)])
@pytest.mark.parametrize("dialect", [SQLITE, PG], ids=["sqlite", "postgresql"])
def test_bigint_round_trips(value: int, dialect: object) -> None:
    col = BigInt()
    bound = col.process_bind_param(value, dialect)  # type: ignore[arg-type]
    assert not isinstance(bound, float)
    assert col.process_result_value(bound, dialect) == value  # type: ignore[arg-type]


def test_bigint_refuses_non_ints() -> None:
    with pytest.raises(TypeError):
        BigInt().process_bind_param(1.5, SQLITE)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        BigInt().process_bind_param(True, SQLITE)


def test_bigint_uses_text_on_sqlite_and_numeric_on_postgres() -> None:
    assert BigInt().load_dialect_impl(SQLITE).__class__.__name__ == "String"
    pg_impl = BigInt().load_dialect_impl(PG)
    assert getattr(pg_impl, "precision", None) == 78


@pytest.mark.parametrize("value", ["0.000000000000000001", "123456789.123456789123456789", "-2"])
def test_decimal_round_trips(value: str) -> None:
    col = ExactDecimal()
    for dialect in (SQLITE, PG):
        bound = col.process_bind_param(Decimal(value), dialect)
        assert col.process_result_value(bound, dialect) == Decimal(value)


def test_decimal_refuses_floats() -> None:
    with pytest.raises(TypeError):
        ExactDecimal().process_bind_param(0.1, SQLITE)  # type: ignore[arg-type]
