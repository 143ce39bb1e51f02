"""SafetyAnalyzer: judges every discovered pair and re-judges held tokens on a warning.

Why a bounded worker pool: a burst of launches must not open hundreds of simulations at
once on the node; reports still arrive within about a block because each costs a few round
trips. A RiskReport is published as RiskAssessed (and handed to ``on_report`` to be stored).

Why judge a pair more than once: launches are several transactions (create the pair, add
liquidity, open trading, renounce, burn LP). A pair created empty is judged again on its first
Sync with reserves, and every pair again ``settle_blocks`` and ``recheck_blocks`` after
discovery, so the latest report reflects the launched token, not the half-built one (an
honest team often burns or locks its LP a few blocks after adding it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import structlog

from claudedex.bus import EventBus
from claudedex.domain import Finding, PairInfo, RiskReport, Severity
from claudedex.errors import ChainError
from claudedex.events import (
    BlockSeen,
    EarlyWarningRaised,
    PairDiscovered,
    PriceTicked,
    RiskAssessed,
)
from claudedex.safety.assess import CHECKS_FAILED, AdvisoryChecks, AssessConfig, TokenAssessor
from claudedex.safety.deployer import DeployerStore
from claudedex.safety.roundtrip import PrefixCall
from claudedex.safety.verdict import sort_findings

if TYPE_CHECKING:
    from web3 import AsyncWeb3

log = structlog.get_logger(__name__)

MAX_RETRIES = 3  # failed judgements of one pair retried in a row, one block apart


def venue_routers(venues: Mapping[str, str] | Iterable[Any]) -> dict[str, str]:
    """Venue name -> router from a mapping or from VenueConfig-like objects."""
    if isinstance(venues, Mapping):
        return {str(k): str(v).lower() for k, v in venues.items()}
    out: dict[str, str] = {}
    for v in venues:
        out[str(getattr(v, "name"))] = str(getattr(v, "router")).lower()  # noqa: B009 - duck-typed VenueConfig
    return out


class SafetyAnalyzer:
    """Subscribes to PairDiscovered / EarlyWarningRaised, publishes RiskAssessed."""

    def __init__(
        self,
        bus: EventBus,
        w3: AsyncWeb3[Any],
        venues: Mapping[str, str] | Iterable[Any],
        quote_token: str,
        apis: AdvisoryChecks | None = None,
        *,
        config: AssessConfig | None = None,
        chain_id: int = 0,
        concurrency: int = 4,
        settle_blocks: int = 2,
        recheck_blocks: tuple[int, ...] = (10,),
        on_report: Callable[[RiskReport], Awaitable[None]] | None = None,
        extra_findings: Callable[[PairInfo], tuple[Finding, ...]] | None = None,
        history: DeployerStore | None = None,
    ) -> None:
        self.bus = bus
        self.routers = venue_routers(venues)
        self.quote = quote_token.lower()
        self.assessor = TokenAssessor(w3, config, chain_id=chain_id, advisory=apis,
                                      history=history)
        self.on_report = on_report
        self._gate = asyncio.Semaphore(concurrency)
        self.settle_blocks = settle_blocks
        self.recheck_blocks = recheck_blocks
        self.extra_findings = extra_findings
        self.pairs: dict[str, PairInfo] = {}  # token -> the pair we judged it on
        self.reports: dict[str, RiskReport] = {}
        self._empty: dict[str, PairInfo] = {}  # pair -> info, judged before liquidity
        self._inflight: dict[str, int] = {}  # pair -> assessments started, not yet reported
        self._funded_meanwhile: set[str] = set()  # pairs funded while being judged
        self._failures: dict[str, int] = {}  # pair -> failed judgements in a row
        self._head = 0  # the last BlockSeen
        self._recheck: dict[int, list[PairInfo]] = {}  # block -> pairs to judge again

    async def run(self) -> None:
        topics = [PairDiscovered.topic, EarlyWarningRaised.topic, PriceTicked.topic,
                  BlockSeen.topic]
        sub = self.bus.subscribe("safety", topics)
        try:
            async with asyncio.TaskGroup() as tg:
                async for event in sub:
                    if isinstance(event, PairDiscovered):
                        info = event.pair
                        if info.quote and info.quote.lower() != self.quote:
                            continue  # a routed pool (vs USDC): judged via its WETH pool
                        tg.create_task(self.assess_pair(info))
                        if self.settle_blocks > 0:
                            for delay in {self.settle_blocks, *self.recheck_blocks}:
                                due = info.block_number + delay
                                self._recheck.setdefault(due, []).append(info)
                    elif isinstance(event, EarlyWarningRaised):
                        known = self.pairs.get(event.token.lower())
                        if known is not None:
                            tg.create_task(self.assess_pair(known, reason=event.kind,
                                                            pending_tx=event.tx_hash))
                    elif isinstance(event, PriceTicked) and event.reserve_quote > 0:
                        key = event.pair.lower()
                        empty = self._empty.pop(key, None)
                        if empty is not None:
                            tg.create_task(self.assess_pair(empty, reason="liquidity added"))
                        elif key in self._inflight:  # may be judging the empty pool now
                            self._funded_meanwhile.add(key)
                    elif isinstance(event, BlockSeen):
                        self._head = max(self._head, event.number)
                        for due in [b for b in self._recheck if b <= event.number]:
                            for again in self._recheck.pop(due):
                                tg.create_task(self.assess_pair(again, reason="settled"))
        finally:
            sub.close()

    def _retry_if_failed(self, info: PairInfo, report: RiskReport) -> None:
        """A report whose checks could not run (node hiccup) is judged again on the next
        block, up to ``MAX_RETRIES`` times in a row: a quiet pool (no Sync, no warning) would
        otherwise keep the failed report until its next scheduled re-check."""
        key = info.pair.lower()
        if not any(f.code == CHECKS_FAILED for f in report.findings):
            self._failures.pop(key, None)
            return
        failed = self._failures.get(key, 0) + 1
        if failed > MAX_RETRIES:
            return  # the node keeps failing this pair: wait for a Sync or a re-check
        self._failures[key] = failed
        due = max(self._head, report.block_number) + 1
        self._recheck.setdefault(due, []).append(info)

    async def _pending(self, tx_hash: str) -> tuple[PrefixCall, ...]:
        """The pending transaction as a call to replay before the round trip."""
        if not tx_hash:
            return ()
        try:
            tx = await self.assessor.reader.request("eth_getTransactionByHash", [tx_hash])
        except ChainError as exc:
            log.warning("safety.pending_tx_unreadable", tx=tx_hash, error=str(exc))
            return ()
        if not tx or not tx.get("to") or tx.get("blockNumber"):
            return ()  # gone, a deployment, or already mined (then the chain shows it)
        data = str(tx.get("input") or "0x")
        return (PrefixCall(str(tx["from"]).lower(), str(tx["to"]).lower(),
                           bytes.fromhex(data[2:]), int(str(tx.get("value", "0x0")), 16)),)

    async def assess_pair(
        self, info: PairInfo, reason: str = "", pending_tx: str = ""
    ) -> RiskReport | None:
        """Judge one pair now, publish and return the report (None: unknown venue).

        ``pending_tx``: a mempool transaction (from an early warning) to apply first.
        """
        router = self.routers.get(info.venue)
        if router is None:
            log.warning("safety.unknown_venue", venue=info.venue, pair=info.pair)
            return None
        self.pairs.setdefault(info.token.lower(), info)
        pair_key = info.pair.lower()
        self._inflight[pair_key] = self._inflight.get(pair_key, 0) + 1
        try:
            async with self._gate:
                pending = await self._pending(pending_tx)
                report = await self.assessor.assess(token=info.token, pair=info.pair,
                                                    quote=info.quote or self.quote,
                                                    router=router,
                                                    block_number=info.block_number,
                                                    pending=pending)
        finally:
            left = self._inflight.pop(pair_key) - 1
            if left:
                self._inflight[pair_key] = left
        funded_meanwhile = False
        if not left:
            funded_meanwhile = pair_key in self._funded_meanwhile
            self._funded_meanwhile.discard(pair_key)
        if self.extra_findings is not None:
            extra = tuple(f for f in self.extra_findings(info)
                          if f.severity in (Severity.INFO, Severity.LOW, Severity.MEDIUM))
            if extra:  # advisory context (volume, social): shown, never decisive
                report = replace(report, findings=sort_findings(report.findings + extra))
        key = info.token.lower()
        best = self.reports.get(key)
        if report.liquidity_quote is None and not funded_meanwhile:
            self._empty[pair_key] = info  # judged again on its first funded Sync
        self._retry_if_failed(info, report)
        if best is None or best.pair == report.pair or (report.liquidity_quote or 0) > (
                best.liquidity_quote or 0):
            self.reports[key] = report  # the deepest pool's report speaks for the token
            self.pairs[key] = info
        log.info("safety.report", token=info.token, verdict=report.verdict.value,
                 ms=round(report.elapsed_ms, 1), reason=reason or "discovered")
        if self.on_report is not None:
            await self.on_report(report)
        await self.bus.publish(RiskAssessed(report=report))
        if report.liquidity_quote is None and funded_meanwhile:
            # the pool was funded while we judged it empty: its Sync was seen mid-judgement,
            # so no later one will ask again; judge the funded pool now
            return await self.assess_pair(info, reason="liquidity added")
        return report
