"""Initial schema: every table ClaudeDex persists.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 18:42:53.919958
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from claudedex.storage.types import BigInt, ExactDecimal

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ts", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_log_prev_hash")),
    )
    op.create_table(
        "engine_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", JSON_TYPE, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_engine_state")),
    )
    op.create_table(
        "fills",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("amount_in", BigInt(), nullable=False),
        sa.Column("amount_out", BigInt(), nullable=False),
        sa.Column("gas_cost_wei", BigInt(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", BigInt(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fills")),
        sa.UniqueConstraint("order_id", "tx_hash", name=op.f("uq_fills_order_id")),
    )
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fills_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fills_token"), ["token"], unique=False)

    op.create_table(
        "ml_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("scam_probability", sa.Double(), nullable=False),
        sa.Column("contributions", JSON_TYPE, nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ml_scores")),
    )
    with op.batch_alter_table("ml_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ml_scores_token"), ["token"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_state"), ["state"], unique=False)

    op.create_table(
        "pairs",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("venue", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("quote", sa.String(length=42), nullable=False),
        sa.Column("block_number", BigInt(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "address", name=op.f("pk_pairs")),
    )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairs_token"), ["token"], unique=False)

    op.create_table(
        "positions",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("amount", BigInt(), nullable=False),
        sa.Column("cost_quote", BigInt(), nullable=False),
        sa.Column("mark_quote", BigInt(), nullable=False),
        sa.Column("realized_quote", BigInt(), nullable=False),
        sa.Column("stop_loss", ExactDecimal(), nullable=True),
        sa.Column("take_profit", ExactDecimal(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_positions")),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("pair", sa.String(length=42), nullable=False),
        sa.Column("venue", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("amount_in", BigInt(), nullable=False),
        sa.Column("min_amount_out", BigInt(), nullable=False),
        sa.Column("quote_value", ExactDecimal(), nullable=False),
        sa.Column("slippage_bps", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("factors", JSON_TYPE, nullable=False),
        sa.Column("ml_score", sa.Double(), nullable=True),
        sa.Column("price_impact_bps", sa.Integer(), nullable=False),
        sa.Column("gas_estimate", BigInt(), nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_token"), ["token"], unique=False)

    op.create_table(
        "risk_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("pair", sa.String(length=42), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("findings", JSON_TYPE, nullable=False),
        sa.Column("buy_tax_bps", sa.Integer(), nullable=True),
        sa.Column("sell_tax_bps", sa.Integer(), nullable=True),
        sa.Column("liquidity_quote", BigInt(), nullable=True),
        sa.Column("block_number", BigInt(), nullable=False),
        sa.Column("elapsed_ms", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_reports")),
    )
    with op.batch_alter_table("risk_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_reports_token"), ["token"], unique=False)

    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("pair", sa.String(length=42), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("strength", ExactDecimal(), nullable=False),
        sa.Column("amount_in", BigInt(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signals_token"), ["token"], unique=False)

    op.create_table(
        "tokens",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("first_seen_block", BigInt(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "address", name=op.f("pk_tokens")),
    )
    op.create_table(
        "transactions",
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("nonce", BigInt(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("block_number", BigInt(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_transactions")),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transactions_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transactions_status"), ["status"], unique=False)

    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("data", JSON_TYPE, nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_events_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index("ix_order_events_order_id_id", ["order_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index("ix_order_events_order_id_id")

    op.drop_table("order_events")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transactions_status"))
        batch_op.drop_index(batch_op.f("ix_transactions_order_id"))

    op.drop_table("transactions")
    op.drop_table("tokens")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_token"))

    op.drop_table("signals")
    with op.batch_alter_table("risk_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_reports_token"))

    op.drop_table("risk_reports")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_token"))
        batch_op.drop_index(batch_op.f("ix_proposals_status"))

    op.drop_table("proposals")
    op.drop_table("positions")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairs_token"))

    op.drop_table("pairs")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_state"))

    op.drop_table("orders")
    with op.batch_alter_table("ml_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ml_scores_token"))

    op.drop_table("ml_scores")
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fills_token"))
        batch_op.drop_index(batch_op.f("ix_fills_order_id"))

    op.drop_table("fills")
    op.drop_table("engine_state")
    op.drop_table("audit_log")
