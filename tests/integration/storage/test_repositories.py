"""Repositories on SQLite and PostgreSQL: exact money, idempotent replays, JSON round-trips."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import func, select, text

from claudedex.domain import (
    Finding,
    PairInfo,
    RiskFactor,
    RiskReport,
    Score,
    Severity,
    Side,
    Signal,
    TradeProposal,
    Verdict,
)
from claudedex.events import OrderFilled, PositionChanged
from claudedex.halt import HaltState
from claudedex.storage import Database, OrderJournal
from claudedex.storage.models import Pair, SignalRow, Token
from claudedex.storage.repo_market import MarketRepo
from claudedex.storage.repo_trading import TradingRepo
from claudedex.storage.state import EngineStateRepo

U256_MAX = 2**256 - 1
TOKEN = "0x" + "ab" * 20
PAIR = "0x" + "cd" * 20
WETH = "0x" + "ee" * 20


def proposal(pid: str = "p-1") -> TradeProposal:
    return TradeProposal(
        id=pid, token=TOKEN, pair=PAIR, venue="uniswap_v2", side=Side.BUY,
        amount_in=U256_MAX, min_amount_out=U256_MAX - 1,
        quote_value=Decimal("0.000000000000000001234567890123456789"), slippage_bps=250,
        verdict=Verdict.RISKY,
        factors=(RiskFactor("liquidity", Decimal("0.35"), "thin pool", False),
                 RiskFactor("honeypot", Decimal("1"), "cannot sell", True)),
        ml_score=0.25, price_impact_bps=80, gas_estimate=210_000, symbol="<b>[red]X",
        strategy="momentum", reason="breakout",
    )


async def test_uint256_and_decimals_round_trip_exactly(db: Database) -> None:
    repo = TradingRepo(db)
    await repo.save_proposal(proposal())
    got = await repo.get_proposal("p-1")
    assert got is not None
    stored, status = got
    assert stored == proposal()
    assert stored.amount_in == U256_MAX
    assert stored.quote_value == Decimal("0.000000000000000001234567890123456789")
    assert status == "pending"


async def test_proposal_status_updates_and_replay_keeps_first(db: Database) -> None:
    repo = TradingRepo(db)
    await repo.save_proposal(proposal())
    await repo.save_proposal(proposal())  # replay: no error, no duplicate
    assert await repo.update_proposal_status("p-1", "approved", by="operator", note="ok")
    assert not await repo.update_proposal_status("nope", "rejected")
    await repo.save_proposal(proposal("p-2"))
    approved = await repo.list_proposals("approved")
    assert [p.id for p, _ in approved] == ["p-1"]
    assert [p.id for p, _ in await repo.list_proposals("pending")] == ["p-2"]


async def test_pairs_tokens_reports_scores_signals(db: Database) -> None:
    repo = MarketRepo(db)
    info = PairInfo(chain_id=31337, venue="uniswap_v2", pair=PAIR, token=TOKEN, quote=WETH,
                    block_number=12, symbol="'; DROP TABLE pairs; --", name="\x1b[31mEvil")
    await repo.save_pair(info)
    await repo.save_pair(info)  # seen twice: still one row each
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Pair)) == 1
        assert await session.scalar(select(func.count()).select_from(Token)) == 1
    assert await repo.get_pair(31337, PAIR) == info  # untrusted text stored verbatim

    report = RiskReport(
        token=TOKEN, pair=PAIR, verdict=Verdict.SCAM,
        findings=(Finding("honeypot", Severity.CRITICAL, "sell reverts", {"tx": "0x01"}),
                  Finding("tax", Severity.HIGH, "sell tax 99%")),
        buy_tax_bps=0, sell_tax_bps=9900, liquidity_quote=U256_MAX, block_number=13,
        elapsed_ms=12.5,
    )
    await repo.save_risk_report(report)
    assert await repo.latest_risk_report(TOKEN) == report
    assert await repo.latest_risk_report("0x00") is None

    score = Score(token=TOKEN, scam_probability=0.875,
                  contributions=(("holders", 0.5), ("tax", 0.375)), model_version="v1")
    await repo.save_score(score)
    assert await repo.latest_score(TOKEN) == score

    await repo.save_signal(Signal(strategy="momentum", token=TOKEN, pair=PAIR, side=Side.BUY,
                                  reason="up", strength=Decimal("0.123456789012345678901"),
                                  amount_in=U256_MAX))
    async with db.session() as session:
        row = await session.scalar(select(SignalRow))
    assert row is not None
    assert row.strength == Decimal("0.123456789012345678901")
    assert row.amount_in == U256_MAX


async def test_fills_are_idempotent_and_positions_signed(db: Database) -> None:
    repo = TradingRepo(db)
    fill = OrderFilled(order_id="o-1", token=TOKEN, side="buy", amount_in=10**18,
                       amount_out=U256_MAX, gas_cost_wei=21000 * 10**9, tx_hash="0x" + "1" * 64,
                       block_number=99)
    assert await repo.save_fill(fill)
    assert not await repo.save_fill(fill)  # replayed after a restart
    fills = await repo.list_fills("o-1")
    assert len(fills) == 1
    assert fills[0].amount_out == U256_MAX

    pos = PositionChanged(token=TOKEN, symbol="X", amount=U256_MAX, cost_quote=10**18,
                          mark_quote=2 * 10**18, realized_quote=-(10**30),
                          stop_loss=Decimal("0.85"), take_profit=Decimal("2.5"))
    await repo.upsert_position(pos)
    closed = PositionChanged(token=TOKEN, symbol="X", amount=0, cost_quote=0, mark_quote=0,
                             realized_quote=-(10**30) + 5)
    [stored] = await repo.list_positions()
    assert (stored.amount, stored.realized_quote, stored.stop_loss, stored.take_profit) == (
        U256_MAX, -(10**30), Decimal("0.85"), Decimal("2.5"))
    await repo.upsert_position(closed)
    assert await repo.list_positions() == []
    [again] = await repo.list_positions(include_closed=True)
    assert again.realized_quote == -(10**30) + 5
    assert again.stop_loss is None


async def test_transactions_and_orders(db: Database) -> None:
    repo = TradingRepo(db)
    await repo.save_transaction(tx_hash="0x" + "2" * 64, order_id="o-1", chain_id=31337,
                                nonce=2**64 + 1, raw="0x02f8", sender="0x" + "3" * 40)
    assert await repo.update_transaction_status("0x" + "2" * 64, "mined", block_number=7)
    [tx] = await repo.list_transactions(order_id="o-1")
    assert (tx.nonce, tx.status, tx.block_number, tx.raw) == (2**64 + 1, "mined", 7, "0x02f8")
    assert await repo.list_transactions(status="sent") == []

    async with OrderJournal(db) as journal:
        await journal.record("o-1", "intent", {})
        await journal.record("o-1", "filled", {})
        await journal.record("o-2", "sent", {})
    orders = await repo.list_orders()
    assert {o.order_id: o.state for o in orders} == {"o-1": "filled", "o-2": "sent"}
    assert [o.order_id for o in await repo.list_orders(open_only=True)] == ["o-2"]
    assert await repo.count_orders() == 2


async def test_engine_state_mirrors_halt(db: Database) -> None:
    state = EngineStateRepo(db)
    assert await state.load_halt() is None
    await state.mirror_halt(HaltState(True, "operator pressed stop", "operator", 1700000000.5))
    assert await state.load_halt() == HaltState(True, "operator pressed stop", "operator",
                                                1700000000.5)
    await state.mirror_halt(HaltState(False, "", "operator", 1700000001.0))
    halt = await state.load_halt()
    assert halt is not None and not halt.halted
    await state.set("last_block", {"n": U256_MAX})
    assert await state.get("last_block") == {"n": U256_MAX}
    assert await state.get("missing", 3) == 3


async def test_sqlite_pragmas_for_durability(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_journal_audit_and_repos_write_concurrently(db: Database) -> None:
    """The engine's writers share one database; none may fail with a lock error."""
    from claudedex.security.audit import AuditLog

    repo, audit = TradingRepo(db), AuditLog(db)

    async def journal_writes(journal: OrderJournal) -> None:
        await asyncio.gather(*(journal.record(f"c{i}", "intent", {"i": i}) for i in range(300)))

    async def audit_writes() -> None:
        for i in range(30):
            await audit.append("engine", "tick", {"i": i})

    async def repo_writes() -> None:
        for i in range(30):
            await repo.save_proposal(proposal(f"cp-{i}"))
            await repo.update_proposal_status(f"cp-{i}", "approved", by="auto:test")

    async with OrderJournal(db) as journal:
        await asyncio.gather(journal_writes(journal), audit_writes(), repo_writes())
    assert await repo.count_orders() == 300
    assert len(await repo.list_proposals("approved")) == 30
    assert await audit.verify() == (True, None)
