"""Start-up continuity: what a restart must bring back before the engine trades again.

Why: after a crash the order journal is reconciled by execution, but positions, their
pools and the tokens' last verdicts live in memory. Without them a held position would get
no stop-loss and a taxed token would be sold with the wrong router function. Fills and
reports are persisted by the storage recorder; this replays them into the fresh components.

A devnet started anew is a different chain: the previous run's database and state files
are moved aside (kept, never deleted) so nothing from a dead chain is replayed onto it.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select

from claudedex.domain import RiskReport, Side, TradeProposal

log = structlog.get_logger(__name__)

CHAIN_STATE_FILES = ("claudedex.db", "claudedex.db-wal", "claudedex.db-shm", "history.jsonl",
                     "discovery-state.json", "spend.json", "spend.json.lock",
                     "audit.anchor")  # the anchor seals the archived db's audit chain


def archive_previous_chain(data_dir: Path) -> Path | None:
    """Move the state of a previous devnet chain into ``previous-runs/<stamp>/``."""
    present = [data_dir / name for name in CHAIN_STATE_FILES if (data_dir / name).exists()]
    if not present:
        return None
    target = data_dir / "previous-runs" / time.strftime("%Y%m%dT%H%M%S")
    target.mkdir(parents=True, exist_ok=True)
    for path in present:
        shutil.move(str(path), target / path.name)
    log.info("previous_chain_archived", to=str(target), files=[p.name for p in present])
    return target


async def _took_profit(trading: Any, order_id: str) -> bool:
    """True when the order sold a take-profit step of the exit ladder (its proposal's
    reason says so: ``take_profit: +12.00% (step 1 at 10%)``)."""
    from claudedex.portfolio.core import EXIT_STRATEGY

    found = await trading.get_proposal(order_id.removeprefix("o-"))
    if found is None:
        return False
    proposal: TradeProposal = found[0]
    return proposal.strategy == EXIT_STRATEGY and proposal.reason.startswith("take_profit")


async def _restore_peaks(db: Any, tracker: Any, held: list[str]) -> None:
    """Each open position's trailing-stop peak as last stored (storage recorder): without
    it the trailing stop would measure from the first price after the restart."""
    from claudedex.storage.state import PEAKS_KEY, EngineStateRepo

    stored = await EngineStateRepo(db).get(PEAKS_KEY, {})
    if not isinstance(stored, dict):
        return
    for token in held:
        raw = stored.get(token)
        if isinstance(raw, str) and raw.isdigit():
            pos = tracker.core.book.positions[token]
            pos.peak_mark = max(pos.peak_mark, int(raw))


async def restore_portfolio(db: Any, tracker: Any, views: list[Any]) -> list[RiskReport]:
    """Replay stored fills into the portfolio and re-register held tokens' pairs.

    Returns the held tokens' latest stored reports, for the engine to publish once every
    component listens (execution needs their taxes to pick the right router function).
    """
    from claudedex.storage.models import Pair
    from claudedex.storage.repo_market import MarketRepo
    from claudedex.storage.repo_trading import TradingRepo

    fills = await TradingRepo(db).list_fills()
    if not fills:
        return []
    tokens = {f.token for f in fills} | {f.token.lower() for f in fills}
    async with db.session() as session:
        rows = (await session.scalars(select(Pair).where(Pair.token.in_(tokens)))).all()
    pairs = {row.token.lower(): row.address for row in rows}
    for token, pair in pairs.items():
        for view in views:
            view.register_pair(pair, token)
    trading = TradingRepo(db)
    for f in fills:
        token = f.token.lower()
        # by order id: a fill still confirming at the restart is taken back exactly if a
        # reorg then removes it (Book.revert_fill); at its own time, so a position's age
        # (the time exit, max_hold_s) runs from its buy, not from each restart
        pos = tracker.core.on_fill(token, Side(f.side), f.amount_in, f.amount_out,
                                   f.gas_cost_wei, f.ts, pairs.get(token, ""),
                                   order_id=f.order_id)
        if f.side == Side.SELL and pos.amount > 0 and await _took_profit(trading, f.order_id):
            pos.ladder_done += 1  # a take-profit step sold part: the next fires next, once
    held = [t for t, p in tracker.core.book.positions.items() if p.amount > 0]
    await _restore_peaks(db, tracker, held)
    market = MarketRepo(db)
    reports = [r for r in [await market.latest_risk_report(t) for t in held] if r is not None]
    log.info("portfolio_restored", fills=len(fills), open_positions=len(held))
    return reports
