"""Trading records: proposals and their decisions, transactions, fills, positions, orders.

Why separate from the journal: the journal is the write-ahead log of order *intent*; these
tables are the queryable facts the portfolio, the TUI and crash reconciliation read.
Amounts stay ``int`` base units end to end (``BigInt`` columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update

from claudedex.domain import RiskFactor, Side, TradeProposal, Verdict
from claudedex.events import OrderFilled, PositionChanged
from claudedex.storage.database import Database
from claudedex.storage.journal import TERMINAL_STATES
from claudedex.storage.models import (
    FillRow,
    OrderRow,
    PositionRow,
    ProposalRow,
    TransactionRow,
    as_utc,
    utcnow,
)
from claudedex.storage.upsert import upsert

PROPOSAL_STATUSES = frozenset({"pending", "approved", "rejected", "overridden", "expired"})


@dataclass(frozen=True, slots=True)
class OrderRecord:
    order_id: str
    state: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TxRecord:
    hash: str
    order_id: str
    chain_id: int
    sender: str
    nonce: int
    raw: str
    status: str
    block_number: int | None


def _factor_json(f: RiskFactor) -> dict[str, Any]:
    return {"name": f.name, "score": str(f.score), "explanation": f.explanation,
            "blocking": f.blocking}


def _proposal(row: ProposalRow) -> TradeProposal:
    return TradeProposal(
        id=row.id, token=row.token, pair=row.pair, venue=row.venue, side=Side(row.side),
        amount_in=row.amount_in, min_amount_out=row.min_amount_out,
        quote_value=row.quote_value, slippage_bps=row.slippage_bps,
        verdict=Verdict(row.verdict),
        factors=tuple(
            RiskFactor(str(f["name"]), Decimal(str(f["score"])), str(f["explanation"]),
                       bool(f.get("blocking", False)))
            for f in row.factors
        ),
        ml_score=row.ml_score, price_impact_bps=row.price_impact_bps,
        gas_estimate=row.gas_estimate, symbol=row.symbol, strategy=row.strategy,
        reason=row.reason,
    )


def _tx(row: TransactionRow) -> TxRecord:
    return TxRecord(row.hash, row.order_id, row.chain_id, row.sender, row.nonce, row.raw,
                    row.status, row.block_number)


class TradingRepo:
    """Persist proposals, transactions, fills and positions; list orders for the faces."""

    def __init__(self, database: Database) -> None:
        self._db = database

    # --- proposals -----------------------------------------------------------------

    async def save_proposal(self, proposal: TradeProposal, status: str = "pending") -> None:
        """Store a proposal; saving the same id again (a replay) keeps the first copy."""
        values = {
            "id": proposal.id, "token": proposal.token, "pair": proposal.pair,
            "venue": proposal.venue, "side": proposal.side.value,
            "amount_in": proposal.amount_in, "min_amount_out": proposal.min_amount_out,
            "quote_value": proposal.quote_value, "slippage_bps": proposal.slippage_bps,
            "verdict": proposal.verdict.value,
            "factors": [_factor_json(f) for f in proposal.factors],
            "ml_score": proposal.ml_score, "price_impact_bps": proposal.price_impact_bps,
            "gas_estimate": proposal.gas_estimate, "symbol": proposal.symbol,
            "strategy": proposal.strategy, "reason": proposal.reason, "status": status,
            "decided_by": "", "note": "", "created_at": utcnow(), "updated_at": utcnow(),
        }
        async with self._db.session() as session:
            await session.execute(upsert(self._db.dialect, ProposalRow, ["id"]), [values])

    async def update_proposal_status(
        self, proposal_id: str, status: str, by: str = "", note: str = ""
    ) -> bool:
        """Record a decision; returns False when no proposal has that id."""
        if status not in PROPOSAL_STATUSES:
            raise ValueError(f"unknown proposal status {status!r}")
        stmt = (
            update(ProposalRow)
            .where(ProposalRow.id == proposal_id)
            .values(status=status, decided_by=by, note=note, updated_at=utcnow())
        )
        async with self._db.session() as session:
            result = await session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def get_proposal(self, proposal_id: str) -> tuple[TradeProposal, str] | None:
        """The proposal and its status."""
        async with self._db.session() as session:
            row = await session.get(ProposalRow, proposal_id)
        return None if row is None else (_proposal(row), row.status)

    async def list_proposals(self, status: str | None = None) -> list[tuple[TradeProposal, str]]:
        stmt = select(ProposalRow).order_by(ProposalRow.created_at, ProposalRow.id)
        if status is not None:
            stmt = stmt.where(ProposalRow.status == status)
        async with self._db.session() as session:
            rows = (await session.scalars(stmt)).all()
        return [(_proposal(r), r.status) for r in rows]

    # --- transactions --------------------------------------------------------------

    async def save_transaction(
        self, *, tx_hash: str, order_id: str, chain_id: int, nonce: int, raw: str,
        sender: str = "", status: str = "sent",
    ) -> None:
        """Store a signed transaction before/at broadcast; re-saving the hash is a no-op."""
        values = {"hash": tx_hash, "order_id": order_id, "chain_id": chain_id,
                  "sender": sender, "nonce": nonce, "raw": raw, "status": status,
                  "block_number": None, "created_at": utcnow(), "updated_at": utcnow()}
        async with self._db.session() as session:
            await session.execute(upsert(self._db.dialect, TransactionRow, ["hash"]), [values])

    async def update_transaction_status(
        self, tx_hash: str, status: str, block_number: int | None = None
    ) -> bool:
        stmt = (
            update(TransactionRow)
            .where(TransactionRow.hash == tx_hash)
            .values(status=status, block_number=block_number, updated_at=utcnow())
        )
        async with self._db.session() as session:
            result = await session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def list_transactions(
        self, *, status: str | None = None, order_id: str | None = None
    ) -> list[TxRecord]:
        stmt = select(TransactionRow).order_by(TransactionRow.created_at, TransactionRow.nonce)
        if status is not None:
            stmt = stmt.where(TransactionRow.status == status)
        if order_id is not None:
            stmt = stmt.where(TransactionRow.order_id == order_id)
        async with self._db.session() as session:
            rows = (await session.scalars(stmt)).all()
        return [_tx(r) for r in rows]

    # --- fills and positions -------------------------------------------------------

    async def save_fill(self, fill: OrderFilled) -> bool:
        """Store a fill; returns False if this (order, tx) fill was already stored."""
        values = {"order_id": fill.order_id, "token": fill.token, "side": fill.side,
                  "amount_in": fill.amount_in, "amount_out": fill.amount_out,
                  "gas_cost_wei": fill.gas_cost_wei, "tx_hash": fill.tx_hash,
                  "block_number": fill.block_number, "created_at": utcnow()}
        stmt = upsert(self._db.dialect, FillRow, ["order_id", "tx_hash"])
        async with self._db.session() as session:
            result = await session.execute(stmt.values(values))
        return bool(getattr(result, "rowcount", 0))

    async def remove_fill(self, order_id: str, tx_hash: str) -> bool:
        """Delete the fill of (order, tx) a reorg removed; False if none was stored."""
        stmt = delete(FillRow).where(FillRow.order_id == order_id, FillRow.tx_hash == tx_hash)
        async with self._db.session() as session:
            result = await session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def list_fills(self, order_id: str | None = None) -> list[OrderFilled]:
        stmt = select(FillRow).order_by(FillRow.id)
        if order_id is not None:
            stmt = stmt.where(FillRow.order_id == order_id)
        async with self._db.session() as session:
            rows = (await session.scalars(stmt)).all()
        return [
            OrderFilled(order_id=r.order_id, token=r.token, side=r.side, amount_in=r.amount_in,
                        amount_out=r.amount_out, gas_cost_wei=r.gas_cost_wei,
                        tx_hash=r.tx_hash, block_number=r.block_number,
                        ts=as_utc(r.created_at).timestamp())
            for r in rows
        ]

    async def upsert_position(self, position: PositionChanged) -> None:
        values = {"token": position.token, "symbol": position.symbol,
                  "amount": position.amount, "cost_quote": position.cost_quote,
                  "mark_quote": position.mark_quote, "realized_quote": position.realized_quote,
                  "stop_loss": position.stop_loss, "take_profit": position.take_profit,
                  "updated_at": utcnow()}
        columns = [k for k in values if k != "token"]
        stmt = upsert(self._db.dialect, PositionRow, ["token"], columns)
        async with self._db.session() as session:
            await session.execute(stmt, [values])

    async def list_positions(self, *, include_closed: bool = False) -> list[PositionChanged]:
        stmt = select(PositionRow).order_by(PositionRow.token)
        async with self._db.session() as session:
            rows = (await session.scalars(stmt)).all()
        return [
            PositionChanged(token=r.token, symbol=r.symbol, amount=r.amount,
                            cost_quote=r.cost_quote, mark_quote=r.mark_quote,
                            realized_quote=r.realized_quote, stop_loss=r.stop_loss,
                            take_profit=r.take_profit, ts=as_utc(r.updated_at).timestamp())
            for r in rows
            if include_closed or r.amount != 0
        ]

    # --- orders (the journal's latest state per order) -------------------------------

    async def list_orders(self, *, limit: int = 100, open_only: bool = False) -> list[OrderRecord]:
        """Newest first; ``open_only`` hides orders whose latest state is terminal."""
        stmt = select(OrderRow).order_by(OrderRow.updated_at.desc(), OrderRow.id).limit(limit)
        if open_only:
            stmt = stmt.where(OrderRow.state.not_in(sorted(TERMINAL_STATES)))
        async with self._db.session() as session:
            rows = (await session.scalars(stmt)).all()
        return [OrderRecord(r.id, r.state, as_utc(r.created_at), as_utc(r.updated_at))
                for r in rows]

    async def count_orders(self) -> int:
        async with self._db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(OrderRow)) or 0)
