"""Market facts: tokens, pairs, risk reports, ML scores and strategy signals.

Why a repository: components hand over the frozen domain values they already publish on
the bus; the mapping to rows (and back, for the TUI's history) lives in one place.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select

from claudedex.domain import Finding, PairInfo, RiskReport, Score, Severity, Signal, Verdict
from claudedex.storage.database import Database
from claudedex.storage.models import MlScoreRow, Pair, RiskReportRow, SignalRow, Token
from claudedex.storage.upsert import upsert


def finding_to_json(finding: Finding) -> dict[str, object]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "detail": finding.detail,
        "evidence": dict(finding.evidence),
    }


def finding_from_json(raw: dict[str, object]) -> Finding:
    evidence = raw.get("evidence")
    pairs = evidence.items() if isinstance(evidence, dict) else ()
    return Finding(
        code=str(raw["code"]),
        severity=Severity(str(raw["severity"])),
        detail=str(raw.get("detail", "")),
        evidence={str(k): str(v) for k, v in pairs},
    )


class MarketRepo:
    """Persist and read back what discovery, safety, ML and strategies produce."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def save_pair(self, pair: PairInfo, source: str = "chain") -> None:
        """Record a pair and its token; seeing the same pair again changes nothing."""
        token_row = {
            "chain_id": pair.chain_id,
            "address": pair.token,
            "symbol": pair.symbol,
            "name": pair.name,
            "decimals": pair.decimals,
            "first_seen_block": pair.block_number,
        }
        pair_row = {
            "chain_id": pair.chain_id,
            "address": pair.pair,
            "venue": pair.venue,
            "token": pair.token,
            "quote": pair.quote,
            "block_number": pair.block_number,
            "source": source,
        }
        dialect = self._db.dialect
        async with self._db.session() as session:
            await session.execute(upsert(dialect, Token, ["chain_id", "address"]), [token_row])
            await session.execute(upsert(dialect, Pair, ["chain_id", "address"]), [pair_row])

    async def get_pair(self, chain_id: int, address: str) -> PairInfo | None:
        async with self._db.session() as session:
            row = await session.get(Pair, (chain_id, address))
            if row is None:
                return None
            token = await session.get(Token, (chain_id, row.token))
        return PairInfo(
            chain_id=row.chain_id,
            venue=row.venue,
            pair=row.address,
            token=row.token,
            quote=row.quote,
            block_number=row.block_number,
            symbol=token.symbol if token else "",
            name=token.name if token else "",
            decimals=token.decimals if token else 18,
        )

    async def save_risk_report(self, report: RiskReport) -> int:
        row = RiskReportRow(
            token=report.token,
            pair=report.pair,
            verdict=report.verdict.value,
            findings=[finding_to_json(f) for f in report.findings],
            buy_tax_bps=report.buy_tax_bps,
            sell_tax_bps=report.sell_tax_bps,
            liquidity_quote=report.liquidity_quote,
            block_number=report.block_number,
            elapsed_ms=report.elapsed_ms,
        )
        async with self._db.session() as session:
            session.add(row)
            await session.flush()
            return row.id

    async def latest_risk_report(self, token: str) -> RiskReport | None:
        stmt = (
            select(RiskReportRow)
            .where(RiskReportRow.token == token)
            .order_by(RiskReportRow.id.desc())
            .limit(1)
        )
        async with self._db.session() as session:
            row = await session.scalar(stmt)
        if row is None:
            return None
        return RiskReport(
            token=row.token,
            pair=row.pair,
            verdict=Verdict(row.verdict),
            findings=tuple(finding_from_json(f) for f in row.findings),
            buy_tax_bps=row.buy_tax_bps,
            sell_tax_bps=row.sell_tax_bps,
            liquidity_quote=row.liquidity_quote,
            block_number=row.block_number,
            elapsed_ms=row.elapsed_ms,
        )

    async def save_score(self, score: Score) -> int:
        row = MlScoreRow(
            token=score.token,
            scam_probability=score.scam_probability,
            contributions=[[name, value] for name, value in score.contributions],
            model_version=score.model_version,
        )
        async with self._db.session() as session:
            session.add(row)
            await session.flush()
            return row.id

    async def latest_score(self, token: str) -> Score | None:
        stmt = (
            select(MlScoreRow)
            .where(MlScoreRow.token == token)
            .order_by(MlScoreRow.id.desc())
            .limit(1)
        )
        async with self._db.session() as session:
            row = await session.scalar(stmt)
        if row is None:
            return None
        return Score(
            token=row.token,
            scam_probability=row.scam_probability,
            contributions=tuple((str(n), float(v)) for n, v in row.contributions),
            model_version=row.model_version,
        )

    async def save_signal(self, signal: Signal) -> None:
        values = {
            "strategy": signal.strategy,
            "token": signal.token,
            "pair": signal.pair,
            "side": signal.side.value,
            "reason": signal.reason,
            "strength": Decimal(signal.strength),
            "amount_in": signal.amount_in,
        }
        async with self._db.session() as session:
            await session.execute(insert(SignalRow), [values])
