"""Column types that keep money exact on both SQLite and PostgreSQL.

Why not ``BigInteger``/``Numeric``: a uint256 token amount does not fit in 64 bits, and
SQLite's NUMERIC affinity silently turns large numbers into 8-byte floats. On PostgreSQL we
use unconstrained/78-digit ``NUMERIC`` (exact, sortable); on SQLite we store the decimal
text, which round-trips every value exactly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class BigInt(TypeDecorator[int]):
    """An arbitrary-size Python ``int`` (uint256 and signed P&L), stored losslessly."""

    impl = Numeric(78, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(80))
        return dialect.type_descriptor(Numeric(78, 0, asdecimal=True))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"BigInt column needs an int, got {type(value).__name__}")
        if dialect.name == "sqlite":
            return str(value)
        return Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return int(value)
        return int(str(value))


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` price or ratio, never passed through a float."""

    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(100))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("ExactDecimal column refuses floats; pass a Decimal")
        dec = Decimal(value)
        return str(dec) if dialect.name == "sqlite" else dec

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class Json(TypeDecorator[Any]):
    """JSON: ``JSONB`` on PostgreSQL, SQLAlchemy's ``JSON`` (text) elsewhere.

    Why a decorator rather than ``JSON().with_variant(JSONB(), "postgresql")``: naming
    ``JSONB`` imports SQLAlchemy's whole PostgreSQL dialect (about 0.1 s) into every
    process that imports the models, SQLite-only ones such as a backtest included; here it
    is imported when a PostgreSQL connection first compiles the type.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())
