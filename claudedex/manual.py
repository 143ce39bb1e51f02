"""Manual trades (``claudedex trade``, the control API): the operator's own buys and sells.

Why through the same gate as a strategy's proposal: a buy typed by hand is the easiest place
to skip a check. Here the token is judged at send time unless safety reported on it within
:data:`FRESH_BLOCKS`; a ``scam`` is refused with its reasons and an audit row; ``risky`` and
``unknown`` need the typed override; the risk manager sizes and limits the buy with every
proposal still in flight counted; the proposal then goes to the approval queue carrying the
operator's decision (the queue applies it with the same checks as a click), execution
journals and fills it through the kernel's venue, and the portfolio arms its exits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import structlog
from eth_utils.address import to_checksum_address

from claudedex.amm import expected_output, min_amount_out
from claudedex.config import Profile
from claudedex.discovery.routed import routed_pools
from claudedex.domain import PairInfo, RiskReport, Side, Signal, TradeProposal, Verdict
from claudedex.errors import ChainError, EngineHalted, UserInputError
from claudedex.events import (
    AlertRaised,
    OrderFilled,
    OrderUpdated,
    PriceTicked,
    ProposalDecided,
    RiskAssessed,
    TradeProposed,
)
from claudedex.execution import calls
from claudedex.execution.engine import ExecutionEngine
from claudedex.execution.order import Order
from claudedex.execution.planner import Taxes
from claudedex.execution.routes import PriceImpactTooHigh
from claudedex.execution.routing import find_pair, pair_reserves
from claudedex.kernel import AuditTrail, KernelBase
from claudedex.rpc.reader import ChainReader
from claudedex.safety.analyzer import SafetyAnalyzer
from claudedex.strategy.runner import StrategyRunner
from claudedex.tokenmeta import require_decimals
from claudedex.trade_request import (
    TradeRefused,
    TradeRequest,
    TradeResult,
    parse_amount,
)

log = structlog.get_logger(__name__)
FRESH_BLOCKS = 5  # a report older than this many blocks is re-judged before a manual buy
MANUAL = "manual"
# "unknown": the journal failed after signing; the engine watches it, the command says so
TERMINAL_STATES = frozenset({"filled", "failed", "cancelled", "simulated", "unknown"})


Progress = Callable[[str], None]


class ManualTrades:
    """The ``trade`` command of the kernel (see the module docstring)."""

    def __init__(self, base: KernelBase, profile: Profile, w3: Any, safety: SafetyAnalyzer,
                 strategy: StrategyRunner, execution: ExecutionEngine,
                 audit: AuditTrail) -> None:
        self.base = base
        self.profile = profile
        self.w3 = w3
        self.safety = safety
        self.strategy = strategy
        self.execution = execution
        self.audit = audit
        self.quote = to_checksum_address(profile.chain.quote_token)
        self._judging: dict[str, asyncio.Lock] = {}

    # -- reading the chain ----------------------------------------------------------------

    async def _uint(self, to: str, data: bytes) -> int:
        raw = await self.w3.eth.call({"to": to, "data": data})
        return calls.decode_uint(bytes(raw))

    async def decimals(self, token: str) -> int:
        """The token's ``decimals()`` through the shared bounded reader: 0-36, anything else
        refused (``claudedex.tokenmeta.BadDecimals``, a UserInputError); a node error stays a
        ChainError."""
        return await require_decimals(ChainReader(self.w3), token)

    async def pairs_for(self, token: str) -> list[PairInfo]:
        """The token's quote-token pairs on every configured venue (empty ones included)."""
        head = int(await self.w3.eth.block_number)
        found: list[PairInfo] = []
        for venue in self.execution.planner.venues:
            pair = await find_pair(self.w3, venue, token, self.quote)
            if pair is not None:
                found.append(PairInfo(chain_id=self.profile.chain.chain_id, venue=venue.name,
                                      pair=pair.lower(), token=token.lower(),
                                      quote=self.quote.lower(), block_number=head))
        return found

    async def _pools(self, token: str) -> list[tuple[str, int, int]]:
        """(pair, token reserve, quote reserve) of every pool of ``token`` with liquidity,
        its pools against ``chain.route_via`` included (quote reserve valued in native)."""
        out: list[tuple[str, int, int]] = []
        for info in await self.pairs_for(token):
            r_token, r_quote = await pair_reserves(self.w3, info.pair, token)
            if r_token > 0 and r_quote > 0:
                out.append((info.pair, r_token, r_quote))
        out += await routed_pools(ChainReader(self.w3),
                                  [v.factory for v in self.execution.planner.venues],
                                  self.quote, self.profile.chain.route_via, token)
        return out

    async def judge(self, token: str) -> tuple[Verdict, RiskReport | None]:
        """The token's verdict (worst live pool) and its deepest pool's report.

        Every pool is judged now (an order may route to any venue) unless the token was
        judged within FRESH_BLOCKS. The verdict is the one execution re-checks before
        signing (:func:`claudedex.domain.token_verdict`), so the two never disagree.
        """
        key = token.lower()
        async with self._judging.setdefault(key, asyncio.Lock()):  # one judgment per token
            head = int(await self.w3.eth.block_number)
            known = self.safety.reports.get(key)
            if known is None or head - known.block_number > FRESH_BLOCKS:
                for info in await self.pairs_for(token):
                    report = await self.safety.assess_pair(info, reason="manual trade")
                    if report is not None:
                        self.execution.note_report(report)  # now, not when the bus has it
                known = self.safety.reports.get(key)
        if known is None:
            return Verdict.UNKNOWN, None
        return self.execution.verdicts.get(key, known.verdict), known

    async def rejudge_stored(self, reports: list[RiskReport]) -> None:
        """After a restart: judge held tokens again before anything trades them.

        A token that cannot be judged now keeps its stored report (its taxes pick the
        router function for the exit) and the operator is told.
        """
        if not reports:  # a fresh data dir (every backtest): no web3 import
            return
        from web3.exceptions import Web3Exception  # here: web3 is slow to import

        for stored in reports:
            try:
                for info in await self.pairs_for(to_checksum_address(stored.token)):
                    await self.safety.assess_pair(info, reason="restart")
            except (ChainError, OSError, TimeoutError, Web3Exception) as exc:
                log.warning("rejudge_failed", token=stored.token, error=repr(exc))
                await self.base.bus.publish(AlertRaised(
                    level="warning", message=f"could not re-judge held token {stored.token} "
                    f"after restart ({type(exc).__name__}); its stored verdict is used"))
                await self.base.bus.publish(RiskAssessed(report=stored))

    # -- the command ----------------------------------------------------------------------

    async def _refuse(self, request: TradeRequest, why: str, verdict: Verdict,
                      report: RiskReport | None) -> None:
        detail: dict[str, Any] = dict(request.to_json(), reason=why, verdict=str(verdict))
        if report is not None:
            detail["findings"] = [f"{f.code}:{f.severity}" for f in report.findings][:20]
        await self.audit.append(request.by, "trade_refused", detail)
        log.warning("trade_refused", token=request.token, side=str(request.side), why=why)
        raise TradeRefused(why)

    def _gate_verdict(self, request: TradeRequest, verdict: Verdict,
                      report: RiskReport | None) -> str | None:
        """Why the verdict forbids this buy, or None."""
        if request.side is not Side.BUY:
            return None  # a sell is an exit: never blocked by the token's verdict
        if verdict is Verdict.SCAM and report is not None:
            worst = "; ".join(f"{f.code}: {f.detail}" for f in report.findings[:3])
            return f"token judged scam ({worst})"
        if verdict in (Verdict.RISKY, Verdict.UNKNOWN) and request.override != "risky":
            return f"token judged {verdict}: buying it needs --override risky"
        return None

    async def _amount(self, request: TradeRequest) -> int:
        """The trade's input in base units; a sell of more than is held is the operator's
        input error (UserInputError naming what is held), not a failed order."""
        if request.side is Side.BUY:
            return parse_amount(request.amount, 18)
        if self.execution.venue.signs:
            held = await self._uint(request.token,
                                    calls.erc20_balance_of(self.execution.account))
        else:  # paper: the tokens exist on paper only
            held = self.strategy.view.portfolio.positions.get(request.token.lower(), 0)
        if request.amount == "all":
            if held <= 0:
                raise UserInputError(f"no {request.token} held to sell")
            return held
        amount = parse_amount(request.amount, await self.decimals(request.token))
        if amount > held:
            raise UserInputError(f"--amount {request.amount}: more than the {held} base units "
                                 f"of {request.token} held (sell `all` to sell them all)")
        return amount

    async def _proposal(self, request: TradeRequest, amount: int, verdict: Verdict,
                        report: RiskReport | None) -> TradeProposal:
        """Sized and limited by the risk manager (buys) with in-flight buys counted."""
        # lowercase: the one key discovery, safety, the view and the portfolio use
        view, token = self.strategy.view, request.token.lower()
        pools = await self._pools(request.token)
        if not pools:
            raise TradeRefused(f"no pool with liquidity for {token} and {self.quote} on any "
                               "venue")
        pair, r_token, r_quote = max(pools, key=lambda p: p[2])  # the deepest, as exits use
        for other, o_token, o_quote in pools:  # every pool known, so marks pick the deepest
            if other != pair:
                view.register_pair(other, token)
                view.set_pool(other, token, o_token, o_quote, 0, self.base.clock.now())
        view.register_pair(pair, token)
        head = int(await self.w3.eth.block_number)
        view.set_pool(pair, token, r_token, r_quote, head, self.base.clock.now())
        # every component (the portfolio marks the position with it) sees what we read
        await self.base.bus.publish(PriceTicked(pair=pair, reserve_token=r_token,
                                                reserve_quote=r_quote, block_number=head))
        if report is not None:
            view.set_report(report)
        slip = request.slippage_bps or self.profile.limits.max_slippage_bps
        pid = f"{MANUAL}-{uuid.uuid4().hex[:12]}"
        if request.side is Side.SELL:
            fee = self.strategy.decider.risk.settings.fee_bps
            sell_tax = (report.sell_tax_bps or 0) if report is not None else 0
            expected = expected_output(amount, r_token, r_quote, fee, in_tax_bps=sell_tax)
            return TradeProposal(id=pid, token=token, pair=pair, venue="", side=Side.SELL,
                                 amount_in=amount, min_amount_out=min_amount_out(expected, slip),
                                 quote_value=Decimal(expected) / 10**18, slippage_bps=slip,
                                 verdict=verdict, strategy=MANUAL, reason=f"manual by {request.by}")
        signal = Signal(strategy=MANUAL, token=token, pair=pair, side=Side.BUY,
                        reason=f"manual by {request.by}", amount_in=amount)
        assessed = self.strategy.decider.risk.assess(signal, view, self.base.clock)
        if assessed.proposal is None:
            raise TradeRefused(f"risk: {assessed.dropped}")
        if assessed.proposal.amount_in < amount:
            raise TradeRefused(f"risk limits allow at most {assessed.proposal.amount_in} wei "
                               f"for this buy (asked {amount})")
        proposal = replace(assessed.proposal, id=pid, slippage_bps=slip, verdict=verdict)
        # counted in flight in the same step as the limits were judged: a second request
        # judged while this one awaits (routes, the audit) sees it (the caller releases it
        # if it goes no further)
        self.strategy.commit(proposal)
        return proposal

    async def trade(self, request: TradeRequest, progress: Progress | None = None) -> TradeResult:
        """Judge, gate, size, approve and execute one manual trade; wait for its outcome.

        Raises :class:`TradeRefused` (scam, unjudged without override, risk limit, no pool),
        :class:`~claudedex.errors.EngineHalted`, :class:`~claudedex.errors.UserInputError`.
        """
        say = progress or (lambda _line: None)
        request = request.validate()
        token = request.token
        if self.base.halt.is_halted() and not request.dry_run:
            raise EngineHalted(f"profile {self.profile.name} is halted "
                               f"({self.base.halt.state.reason}); `claudedex resume` first")
        if not bytes(await self.w3.eth.get_code(token)):
            raise UserInputError(f"no contract at {token} on chain "
                                 f"{self.profile.chain.chain_id}")
        amount = await self._amount(request)
        say(f"judging {token}")
        verdict, report = await self.judge(token)
        say(f"verdict {verdict}")
        why = self._gate_verdict(request, verdict, report)
        if why is not None:
            await self._refuse(request, why, verdict, report)
        try:
            proposal = await self._proposal(request, amount, verdict, report)
        except TradeRefused as exc:
            await self._refuse(request, str(exc), verdict, report)
            raise
        going = False  # to the approval queue: from there the runner tracks it
        try:
            try:
                await self._impact_gate(proposal, report)
            except TradeRefused as exc:
                await self._refuse(request, str(exc), verdict, report)
                raise
            if request.dry_run:
                return await self._quote(proposal, report)
            await self.audit.append(request.by, "trade_requested",
                                    dict(request.to_json(), proposal=proposal.id,
                                         verdict=str(verdict)))
            going = True
        finally:
            if not going:  # refused, quoted only, or failed: no longer in flight
                self.strategy.release(proposal.id)
        return await self._submit(proposal, request, say)

    async def _impact_gate(self, proposal: TradeProposal, report: RiskReport | None) -> None:
        """Refuse (audited, with the numbers) a trade every route of which moves the price
        past the profile's limit. Execution checks it again before signing; this only says
        so before the proposal is queued."""
        order = Order.from_proposal(proposal)
        taxes = (Taxes.from_report(report.buy_tax_bps, report.sell_tax_bps) if report
                 else Taxes())
        try:
            await self.execution.planner.route(order, taxes)
        except PriceImpactTooHigh as exc:
            raise TradeRefused(str(exc)) from exc

    async def _quote(self, proposal: TradeProposal, report: RiskReport | None) -> TradeResult:
        order = Order.from_proposal(proposal)
        taxes = (Taxes.from_report(report.buy_tax_bps, report.sell_tax_bps) if report
                 else Taxes())
        await self.execution.planner.plan(order, taxes)
        return TradeResult(order.id, "simulated", str(proposal.verdict), order.amount_in,
                           order.expected_out, order.amount_out_min,
                           detail=f"dry run on {order.venue}: expected {order.expected_out}")

    async def _submit(self, proposal: TradeProposal, request: TradeRequest,
                      say: Progress) -> TradeResult:
        order_id = f"o-{proposal.id}"
        result = TradeResult(order_id, "proposed", str(proposal.verdict), proposal.amount_in,
                             amount_out_min=proposal.min_amount_out)
        sub = self.base.bus.subscribe(f"manual-{proposal.id}", [
            ProposalDecided.topic, OrderUpdated.topic, OrderFilled.topic])
        booked = False
        try:
            self.strategy.commit(proposal)  # counted in flight before anything can race it
            await self.base.bus.publish(TradeProposed(
                proposal=proposal, decided_by=request.by,
                confirmation="RISKY" if request.override == "risky" else ""))
            async for ev in sub:
                if isinstance(ev, ProposalDecided) and ev.proposal_id == proposal.id:
                    say(f"{ev.decision} by {ev.by} {ev.note}".rstrip())
                    if ev.decision in ("rejected", "expired"):
                        raise TradeRefused(ev.note or ev.decision)
                elif isinstance(ev, OrderFilled) and ev.order_id == order_id:
                    result.amount_out, result.tx_hash = ev.amount_out, ev.tx_hash
                    booked = True  # with confirmations due, `filled` (final) comes later
                    if result.state == "filled":
                        return result
                elif isinstance(ev, OrderUpdated) and ev.order_id.startswith(order_id):
                    line = f"{ev.order_id}  {ev.state:<18} {ev.tx_hash}  {ev.detail}".rstrip()
                    result.history.append(line)
                    say(line)
                    if ev.order_id == order_id:
                        result.state, result.detail = ev.state, ev.detail
                        result.tx_hash = ev.tx_hash or result.tx_hash
                        if ev.state == "reorged":
                            booked = False  # rolled back: a new OrderFilled if it lands again
                        if ev.state in TERMINAL_STATES and (ev.state != "filled" or booked):
                            return result  # a fill returns on its OrderFilled, just after
        finally:
            sub.close()
        raise ChainError("engine stopped before the order finished")  # the bus closed


__all__ = ["ManualTrades"]
