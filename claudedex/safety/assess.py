"""Run every safety check on one token and fold the findings into a RiskReport.

Why three stages: the checks that need nothing (reserves, code, token metadata, APIs) run
together first; the round trip needs the reserves (to size a realistic trade) and owner
probing needs the round trip's baseline and the controllers; so does the wallet's own round
trip (``safety.victim``), which sells the amount the Prober's buy got. Within a stage
everything runs concurrently, so a report costs a few node round trips, well inside one block.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import structlog

from claudedex.domain import Finding, RiskReport, Severity, Verdict
from claudedex.errors import ChainError, StorageError
from claudedex.rpc.reader import ChainReader
from claudedex.safety.bytecode import inspect_bytecode
from claudedex.safety.controllers import find_controllers
from claudedex.safety.decision import Facts, calibrate
from claudedex.safety.dependencies import dependency_findings
from claudedex.safety.deployer import DeployerHistory, DeployerStore, deployer_findings
from claudedex.safety.holders import holder_findings
from claudedex.safety.liquidity import liquidity_findings, read_reserves
from claudedex.safety.owner_probe import PowerSearch, probe_owner_powers, search_powers
from claudedex.safety.prober import Market
from claudedex.safety.roundtrip import PrefixCall, RoundTrip, round_trip
from claudedex.safety.sellability import judge_round_trip
from claudedex.safety.verdict import decide, sort_findings
from claudedex.safety.victim_findings import check_victim, wallet_taxes
from claudedex.tokenmeta import metadata_findings, read_token_meta

if TYPE_CHECKING:
    from web3 import AsyncWeb3

log = structlog.get_logger(__name__)

T = TypeVar("T")
CHECKS_FAILED = "CHECKS_FAILED"  # the finding of a report whose checks could not run
StageTimer = Callable[[str, float], None]


class AdvisoryChecks(Protocol):
    """External opinions (GoPlus, honeypot.is): findings capped at medium severity."""

    async def findings(self, chain_id: int, token: str) -> tuple[Finding, ...]: ...


@dataclass(frozen=True)
class AssessConfig:
    """Sizes and thresholds of the checks (quote amounts in base units)."""

    trade_size_quote: int = 10**17
    max_pool_share_bps: int = 200  # never simulate more than 2% of the quote reserve
    min_liquidity_quote: int = 5 * 10**17
    fee_bps: int = 30
    probe_owner: bool = True
    holders_lookback_blocks: int = 50_000


class TokenAssessor:
    """Judges tokens; one instance is shared by the analyzer and the scan command."""

    def __init__(
        self,
        w3: AsyncWeb3[Any],
        config: AssessConfig | None = None,
        *,
        chain_id: int = 0,
        advisory: AdvisoryChecks | None = None,
        history: DeployerStore | None = None,
    ) -> None:
        self.reader = ChainReader(w3)
        self.config = config or AssessConfig()
        self.chain_id = chain_id
        self.advisory = advisory
        self.history: DeployerStore = history or DeployerHistory()
        # called with (stage name, wall ms) after each stage; benchmarks profile with it
        self.on_stage: StageTimer | None = None

    async def _timed(self, name: str, work: Awaitable[T]) -> T:
        """Await ``work``, reporting its wall time in ms to ``on_stage`` when set."""
        if self.on_stage is None:
            return await work
        started = time.perf_counter()
        try:
            return await work
        finally:
            self.on_stage(name, (time.perf_counter() - started) * 1000)

    async def assess(
        self,
        *,
        token: str,
        pair: str,
        quote: str,
        router: str,
        block_number: int = 0,
        pending: tuple[PrefixCall, ...] = (),
    ) -> RiskReport:
        """A RiskReport for ``token`` traded on ``pair`` through ``router``.

        ``pending``: transactions seen in the mempool, applied before the round trip, so a
        warning's report shows what the chain will look like once they are mined.
        """
        started = time.perf_counter()
        extra: dict[str, Any] = {}  # filled as the checks go: a failure keeps what was read
        try:
            findings = await self._checks(token, pair, quote, router, pending, extra)
        except (ChainError, ValueError, KeyError, TypeError, IndexError) as exc:
            # a node that fails or answers malformed data: the report says so (risky), with
            # the reserves when they were read (the analyzer judges it again shortly)
            log.warning("safety.assess_failed", token=token, error=repr(exc))
            findings = [Finding(CHECKS_FAILED, Severity.HIGH,
                                f"the safety checks could not run: {exc}", {})]
            extra = {k: extra[k] for k in ("block", "liquidity_quote") if k in extra}
        findings = calibrate(findings, _facts(findings, extra))
        verdict = decide(findings) if findings else Verdict.UNKNOWN
        if extra.get("creator"):
            await self._remember(str(extra["creator"]), token, verdict)
        return RiskReport(
            token=token, pair=pair, verdict=verdict, findings=sort_findings(findings),
            buy_tax_bps=extra.get("buy_tax_bps"), sell_tax_bps=extra.get("sell_tax_bps"),
            liquidity_quote=extra.get("liquidity_quote"),
            block_number=block_number or int(extra.get("block", 0)),
            elapsed_ms=(time.perf_counter() - started) * 1000)

    async def _remember(self, creator: str, token: str, verdict: Verdict) -> None:
        """Record the verdict in the deployer history; a store that fails only logs."""
        try:
            await self.history.record(self.chain_id, creator, token, verdict)
        except StorageError as exc:
            log.warning("safety.deployer_history_unwritable", token=token, error=str(exc))

    async def _checks(
        self, token: str, pair: str, quote: str, router: str, pending: tuple[PrefixCall, ...],
        extra: dict[str, Any],
    ) -> list[Finding]:
        cfg, reader = self.config, self.reader
        token, pair, quote, router = (a.lower() for a in (token, pair, quote, router))
        market = Market(router, quote, token, pair)
        advisory = (asyncio.ensure_future(self.advisory.findings(self.chain_id, token))
                    if self.advisory else None)
        t = self._timed
        head, reserves, code, meta = await t("1.reads", asyncio.gather(
            t("1.head", reader.block("latest")),
            t("1.reserves", read_reserves(reader, pair, token)),
            t("1.bytecode", inspect_bytecode(reader, token)),
            t("1.meta", read_token_meta(reader, token))))
        findings: list[Finding] = [*code.findings, *metadata_findings(meta)]
        extra["block"] = int(head["number"], 16)
        if reserves is None or reserves.quote == 0 or reserves.token == 0:
            findings.append(Finding("NO_LIQUIDITY", Severity.HIGH,
                                    "the pair has no reserves to trade against", {"pair": pair}))
            if advisory:
                findings += await advisory
            return findings
        extra["liquidity_quote"] = reserves.quote
        amount_in = min(cfg.trade_size_quote, reserves.quote * cfg.max_pool_share_bps // 10_000)
        exclude = {pair, quote, router}
        lookback = max(int(head["number"], 16) - cfg.holders_lookback_blocks, 0)
        # the round trip runs while the checks that need only the pool and the controllers
        # (liquidity, deployer, the owner probe's search for privileged calls) start
        trip_job = asyncio.ensure_future(
            t("2.round_trip", round_trip(reader, market, amount_in, base=head, prefix=pending)))
        early: list[asyncio.Future[Any]] = [trip_job]
        try:
            controllers = await t("2.controllers", find_controllers(reader, token, code,
                                                                    exclude))
            eoa_controllers = {a: r for a, r in controllers.candidates.items()
                               if r in ("owner", "creator")}
            liquidity = asyncio.ensure_future(t("3.liquidity", liquidity_findings(
                reader, pair, reserves, amount_in, eoa_controllers,
                min_liquidity_quote=cfg.min_liquidity_quote, fee_bps=cfg.fee_bps, head=head,
                from_block=lookback)))
            deployer = asyncio.ensure_future(t("3.deployer", deployer_findings(
                reader, self.history, self.chain_id, controllers.creator, token)))
            early += [liquidity, deployer]
            search: asyncio.Future[PowerSearch] | None = None
            if cfg.probe_owner and await reader.supports_simulate():
                search = asyncio.ensure_future(t("3.owner_search", search_powers(
                    reader, market, code, controllers, head)))
                early.append(search)
            trip = await t("2.trip", trip_job)
            base = judge_round_trip(trip)
            findings += base.findings
            if pending:
                findings += _pending_findings(trip, reserves.token)
            extra.update(buy_tax_bps=base.buy_tax_bps, sell_tax_bps=base.sell_tax_bps,
                         transfer_tax_bps=base.transfer_tax_bps, creator=controllers.creator,
                         owner=controllers.owner)
            findings.append(Finding(
                "ROUND_TRIP", Severity.INFO, "simulated buy, transfer and sell", {
                    "method": trip.method, "amount_in": str(amount_in),
                    "buy_tax_bps": str(base.buy_tax_bps),
                    "sell_tax_bps": str(base.sell_tax_bps),
                    "transfer_tax_bps": str(base.transfer_tax_bps),
                    "sell_gas": str(base.sell_gas)}))
            groups = await t("3.probes", asyncio.gather(
                t("3.owner", probe_owner_powers(reader, market, amount_in, code, controllers,
                                                head, search=search))
                if cfg.probe_owner and base.can_buy else _none(),
                liquidity,
                t("3.holders", holder_findings(reader, token, pair, base.supply,
                                               controllers.creator, from_block=lookback)),
                deployer,
                t("3.dependencies", dependency_findings(
                    reader, market, amount_in, head, can_sell=base.can_sell,
                    implementation=code.implementation, named_contracts=controllers.contracts))
                if base.can_buy else _none(),
                t("3.victim", check_victim(reader, market, amount_in, head, trip, base,
                                           (reserves.quote, reserves.token), pending))))
        finally:
            _discard(early)
        for group in groups:
            findings += group
        if base.buy_tax_bps is None:  # the Prober could not buy: the wallet's taxes, if any
            extra.update(wallet_taxes(findings))
        if advisory:
            findings += await advisory
        return findings


def _facts(findings: list[Finding], extra: dict[str, Any]) -> Facts:
    """What the decision table needs beyond each finding: the visible owner and taxes."""
    taxes = tuple(int(extra[k]) for k in ("buy_tax_bps", "sell_tax_bps", "transfer_tax_bps")
                  if extra.get(k) is not None)
    owner = extra.get("owner")
    return Facts(frozenset(f.code for f in findings), owner.lower() if owner else None, taxes)


def _discard(jobs: list[asyncio.Future[Any]]) -> None:
    """Cancel the jobs still running (a check failed, or the token cannot be bought) and
    mark the failed ones' errors as seen (the report already says the checks failed)."""
    for job in jobs:
        if not job.done():
            job.cancel()
        elif not job.cancelled():
            job.exception()


async def _none() -> tuple[Finding, ...]:
    return ()


def _pending_findings(trip: RoundTrip, reserve_token: int) -> list[Finding]:
    """What applying the mempool's pending transactions did to the pool."""
    applied = ",".join("ok" if ok else "reverted" for ok in trip.prefix_ok)
    out = [Finding("PENDING_TX_APPLIED", Severity.INFO,
                   "judged as if the pending transaction(s) were mined", {"applied": applied})]
    pool_after = trip.leg("buy").pair_before
    if trip.prefix_ok and any(trip.prefix_ok) and pool_after * 2 < reserve_token:
        out.append(Finding(
            "PENDING_LIQUIDITY_REMOVAL", Severity.CRITICAL,
            f"after the pending transaction the pool holds {pool_after} of {reserve_token} "
            "tokens: liquidity is being pulled",
            {"pool_tokens_after": str(pool_after), "pool_tokens_now": str(reserve_token)}))
    return out
