"""The relational schema: one mapped class per table.

Why here and not spread across repositories: Alembic's initial revision and the tests
compare against this one metadata. Amounts are :class:`BigInt`, prices :class:`ExactDecimal`;
floats appear only for ML probabilities and timing analytics.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from claudedex.storage.types import BigInt, ExactDecimal, Json

JsonType = Json()

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(ts: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored timestamp is UTC."""
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Token(Base):
    __tablename__ = "tokens"
    chain_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    symbol: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    decimals: Mapped[int] = mapped_column(Integer, default=18)
    first_seen_block: Mapped[int] = mapped_column(BigInt, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Pair(Base):
    __tablename__ = "pairs"
    chain_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    venue: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(42), index=True)
    quote: Mapped[str] = mapped_column(String(42))
    block_number: Mapped[int] = mapped_column(BigInt)
    source: Mapped[str] = mapped_column(String(32), default="chain")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RiskReportRow(Base):
    __tablename__ = "risk_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(42), index=True)
    pair: Mapped[str] = mapped_column(String(42))
    verdict: Mapped[str] = mapped_column(String(16))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    buy_tax_bps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sell_tax_bps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    liquidity_quote: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    block_number: Mapped[int] = mapped_column(BigInt, default=0)
    elapsed_ms: Mapped[float] = mapped_column(default=0.0)  # analytics only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeployerTokenRow(Base):
    """A token a deployer launched and our latest verdict on it (the engine and ``scan``
    share it, so a deployer's record outlives the process that judged its tokens)."""

    __tablename__ = "deployer_tokens"
    chain_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployer: Mapped[str] = mapped_column(String(42), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MlScoreRow(Base):
    __tablename__ = "ml_scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(42), index=True)
    scam_probability: Mapped[float] = mapped_column()  # ML output, never money
    contributions: Mapped[list[list[Any]]] = mapped_column(JsonType)
    model_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignalRow(Base):
    __tablename__ = "signals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(42), index=True)
    pair: Mapped[str] = mapped_column(String(42))
    side: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    strength: Mapped[Decimal] = mapped_column(ExactDecimal)
    amount_in: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProposalRow(Base):
    __tablename__ = "proposals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), index=True)
    pair: Mapped[str] = mapped_column(String(42))
    venue: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(8))
    amount_in: Mapped[int] = mapped_column(BigInt)
    min_amount_out: Mapped[int] = mapped_column(BigInt)
    quote_value: Mapped[Decimal] = mapped_column(ExactDecimal)
    slippage_bps: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    ml_score: Mapped[float | None] = mapped_column(nullable=True)
    price_impact_bps: Mapped[int] = mapped_column(Integer, default=0)
    gas_estimate: Mapped[int] = mapped_column(BigInt, default=0)
    symbol: Mapped[str] = mapped_column(Text, default="")
    strategy: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrderRow(Base):
    """One row per order: its latest journaled state (the full history is in order_events)."""

    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrderEventRow(Base):
    """Append-only journal of order state transitions; never updated or deleted."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order_id_id", "order_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(64), ForeignKey("orders.id"))
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TransactionRow(Base):
    __tablename__ = "transactions"
    hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    chain_id: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(42), default="")
    nonce: Mapped[int] = mapped_column(BigInt)
    raw: Mapped[str] = mapped_column(Text)  # 0x-hex signed transaction, for rebroadcast
    status: Mapped[str] = mapped_column(String(16), default="sent", index=True)
    block_number: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FillRow(Base):
    __tablename__ = "fills"
    __table_args__ = (UniqueConstraint("order_id", "tx_hash"),)  # replaying a fill is a no-op
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    token: Mapped[str] = mapped_column(String(42), index=True)
    side: Mapped[str] = mapped_column(String(8))
    amount_in: Mapped[int] = mapped_column(BigInt)
    amount_out: Mapped[int] = mapped_column(BigInt)
    gas_cost_wei: Mapped[int] = mapped_column(BigInt)
    tx_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int] = mapped_column(BigInt)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PositionRow(Base):
    __tablename__ = "positions"
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    symbol: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[int] = mapped_column(BigInt)
    cost_quote: Mapped[int] = mapped_column(BigInt)
    mark_quote: Mapped[int] = mapped_column(BigInt)
    realized_quote: Mapped[int] = mapped_column(BigInt)  # signed
    stop_loss: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    take_profit: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRow(Base):
    """Hash-chained audit trail; ``prev_hash`` is unique so the chain can never fork."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[str] = mapped_column(String(40))  # ISO-8601 UTC text: hashed as stored
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON text: hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))


class EngineStateRow(Base):
    __tablename__ = "engine_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonType)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
