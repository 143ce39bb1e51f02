"""MLScorer: the engine component that turns safety reports into TokenScored events.

Why wait for the cut-off: the models were trained on what the chain showed ``cutoff_blocks``
after pair creation, so a token is scored once the head reaches that block, on an
observation pinned to it (``observe``), and never earlier. Tokens that come due together are
scored in one batch. Without a trained model the component logs once, tells the operator,
and publishes nothing: the engine runs on without ML scores.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.domain import PairInfo, RiskReport
from claudedex.errors import ChainError
from claudedex.events import AlertRaised, PairDiscovered, RiskAssessed, TokenScored
from claudedex.ml.features import CUTOFF_BLOCKS
from claudedex.ml.observe import observe
from claudedex.ml.registry import ModelRefused
from claudedex.ml.serve import Scorer
from claudedex.ml.social import SocialSource

log = structlog.get_logger(__name__)

@dataclass
class _Due:
    token: str
    pair: str
    quote: str
    created: int
    report: RiskReport
    cutoff: int


class MLScorer:
    """Subscribes to PairDiscovered + RiskAssessed; publishes TokenScored at each cut-off."""

    def __init__(
        self,
        bus: EventBus,
        model: Path | Scorer,
        w3: AsyncWeb3[Any],
        *,
        quote: str,
        cutoff_blocks: int = CUTOFF_BLOCKS,
        poll_s: float = 0.5,
        social: SocialSource | None = None,
        top_k: int = 5,
    ) -> None:
        self.bus = bus
        self.model = model
        self.w3 = w3
        self.quote = quote.lower()
        self.cutoff_blocks = cutoff_blocks
        self.poll_s = poll_s
        self.social = social
        self.top_k = top_k
        self.scorer: Scorer | None = model if isinstance(model, Scorer) else None
        self.pairs: dict[str, PairInfo] = {}
        self.pending: dict[str, _Due] = {}
        self.scored = 0

    def _load(self) -> Scorer | None:
        if self.scorer is None and isinstance(self.model, Path):
            self.scorer = Scorer.from_registry(self.model, self.top_k)
        return self.scorer

    async def run(self) -> None:
        try:
            scorer = await asyncio.to_thread(self._load)
        except ModelRefused as exc:
            log.warning("ml.no_model", reason=str(exc))
            await self.bus.publish(AlertRaised(level="warning", source="ml",
                                               message=f"ML scoring off: {exc}"))
            await asyncio.Event().wait()  # idle until cancelled: the engine runs without ML
            return
        assert scorer is not None
        log.info("ml.model_loaded", version=scorer.version)
        sub = self.bus.subscribe("ml", [PairDiscovered.topic, RiskAssessed.topic])
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._score_loop(scorer))
                async for event in sub:
                    if isinstance(event, PairDiscovered):
                        if event.pair.quote and event.pair.quote.lower() != self.quote:
                            continue  # a routed pool (vs USDC): scored via its WETH pool
                        self.pairs[event.pair.token.lower()] = event.pair
                    elif isinstance(event, RiskAssessed):
                        self.on_report(event.report)
        finally:
            sub.close()

    def on_report(self, report: RiskReport) -> None:
        """Queue the token for scoring at its cut-off (a later report re-scores it later)."""
        info = self.pairs.get(report.token.lower())
        created = info.block_number if info and info.block_number else report.block_number
        quote = info.quote if info and info.quote else self.quote
        cutoff = max(created + self.cutoff_blocks, report.block_number)
        self.pending[report.token.lower()] = _Due(report.token, report.pair, quote, created,
                                                  report, cutoff)

    async def _score_loop(self, scorer: Scorer) -> None:
        while True:
            if self.social is not None:
                await self.social.refresh()
            if self.pending:
                try:
                    await self.score_due(scorer)
                except ChainError as exc:
                    log.warning("ml.observe_failed", error=str(exc)[:300])
            await asyncio.sleep(self.poll_s)

    async def score_due(self, scorer: Scorer) -> int:
        """Observe every token whose cut-off the chain has reached, score them in one batch."""
        head = await self.w3.eth.block_number
        due = [d for d in self.pending.values() if d.cutoff <= head]
        if not due:
            return 0
        for d in due:
            self.pending.pop(d.token.lower(), None)
        observations = await asyncio.gather(*(self._observe(d) for d in due))
        scores = await asyncio.to_thread(scorer.score, list(observations))
        for score in scores:
            await self.bus.publish(TokenScored(score=score))
        self.scored += len(scores)
        return len(scores)

    async def _observe(self, d: _Due) -> Any:
        posts = await self.social.posts(d.token) if self.social is not None else ()
        return await observe(self.w3, token=d.token, pair=d.pair, quote=d.quote,
                             created_block=d.created, cutoff=d.cutoff, report=d.report,
                             social=posts)
