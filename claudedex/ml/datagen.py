"""Labelled launches from a real devnet market: the training data of ``claudedex train``.

Why the devnet market itself: the same zoo families, traders and scam schedules the engine
meets in ``claudedex run`` produce the data. Each launch is judged by the real safety
assessor right after its liquidity lands (as the live analyzer does), observed at
``created + cutoff_blocks`` through ``observe`` (state and logs pinned to that block), and
labelled from the market's ground truth. The truth never reaches a feature.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog
from web3 import AsyncWeb3

from claudedex.devnet.accounts import TOTAL_ACCOUNTS, plan_accounts
from claudedex.devnet.labels import LABELS_FILE, LabelWriter
from claudedex.devnet.launches import LaunchPlan
from claudedex.devnet.market import LiveToken, MarketConfig, MarketSimulator
from claudedex.devnet.pricebook import PriceBook
from claudedex.devnet.social import SocialFeed
from claudedex.devnet.testing import connect, start_devnet_chain
from claudedex.devnet.tokens import TokenSource, ZooSource
from claudedex.domain import RiskReport
from claudedex.errors import DevnetError
from claudedex.ml.dataset import Example
from claudedex.ml.features import CUTOFF_BLOCKS
from claudedex.ml.observe import future_max_ratio, observe
from claudedex.rpc import async_web3
from claudedex.safety.assess import TokenAssessor

log = structlog.get_logger(__name__)

LABEL_HORIZON = 40  # blocks after the cut-off over which the pump label is measured
MAX_SETTLE_TICKS = 400


@dataclass
class _Pending:
    live: LiveToken
    report: RiskReport | None
    example: Example | None = None
    labelled: bool = False


@dataclass
class GenConfig:
    launches: int = 60
    seed: int = 7
    cutoff_blocks: int = CUTOFF_BLOCKS
    horizon: int = LABEL_HORIZON
    families: tuple[str, ...] | None = None  # None: every zoo family
    # Mine a block every this many seconds (0: one block per transaction, automine). The
    # devnet profile runs one market tick per block; interval mining keeps that rhythm here,
    # so "20 blocks after creation" spans as much trading as it does in `claudedex run`.
    block_interval_s: float = 0.2
    scam_share: Decimal = Decimal("0.5")
    progress: Callable[[int, int], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class _FamilySource:
    """The zoo, restricted to some families (the planner draws from ``families()``)."""

    def __init__(self, inner: TokenSource, keep: tuple[str, ...]) -> None:
        self.inner = inner
        self.keep = keep

    def families(self) -> dict[str, bool]:
        return {k: v for k, v in self.inner.families().items() if k in self.keep}

    def deploy(self, *args: Any, **kwargs: Any) -> Any:
        return self.inner.deploy(*args, **kwargs)


class _JudgedMarket(MarketSimulator):
    """The market, with every launch judged by the safety assessor the moment it lands."""

    def __init__(self, *args: Any, judge: Callable[[LiveToken], RiskReport | None],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.judge = judge
        self.judged: list[_Pending] = []

    def launch(self, plan: LaunchPlan, tick: int) -> LiveToken:
        live = super().launch(plan, tick)
        self.judged.append(_Pending(live, self.judge(live)))
        return live


class _Miner:
    """Turns automine off and mines one block every ``interval_s`` in a thread it owns."""

    def __init__(self, rpc_url: str, interval_s: float) -> None:
        self.w3 = connect(rpc_url)
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ml-datagen-miner", daemon=True)

    def start(self) -> None:
        self.w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]  # anvil-only method
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]  # anvil-only method
            except (OSError, ValueError) as exc:
                log.warning("ml.datagen_mine_failed", error=str(exc)[:200])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def generate(cfg: GenConfig) -> list[Example]:
    """Run a fresh anvil + market until ``cfg.launches`` launches are labelled; stop anvil.

    Every part is registered for its stop the moment it exists, so anvil is stopped on
    every way out: the end, an error, Ctrl-C, or SIGTERM turned into SystemExit by the
    caller (``claudedex.shutdown``).
    """
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="claudedex-train-"))
        anvil, w3, dep = start_devnet_chain(accounts=TOTAL_ACCOUNTS, data_dir=Path(tmp))
        stack.callback(anvil.stop)
        loop = asyncio.new_event_loop()
        stack.callback(loop.close)
        aw3 = async_web3(anvil.rpc_url)
        stack.callback(lambda: loop.run_until_complete(aw3.provider.disconnect()))
        if cfg.block_interval_s > 0:
            miner = _Miner(anvil.rpc_url, cfg.block_interval_s)
            stack.callback(miner.stop)
            miner.start()
        source: TokenSource = ZooSource()
        if cfg.families is not None:
            source = _FamilySource(source, cfg.families)
        assessor = TokenAssessor(aw3, chain_id=dep.chain_id)
        routers = {n: v.router for n, v in dep.venues.items()}

        def judge(live: LiveToken) -> RiskReport | None:
            return loop.run_until_complete(assessor.assess(
                token=live.token.address, pair=live.pair, quote=dep.weth,
                router=routers[live.plan.venue]))

        market = _JudgedMarket(
            w3, dep, plan_accounts(anvil.accounts),
            config=MarketConfig(seed=cfg.seed, launch_rate_per_min=Decimal(60), tick_s=1.0,
                                max_launches=cfg.launches, scam_share=cfg.scam_share),
            source=source, labels=LabelWriter(Path(tmp) / LABELS_FILE), book=PriceBook(),
            feed=SocialFeed(random.Random(f"claudedex-devnet:{cfg.seed}:social")),
            judge=judge)  # the same parts build_market assembles
        return _drive(market, loop, aw3, dep.weth, cfg)


def _drive(market: _JudgedMarket, loop: asyncio.AbstractEventLoop, aw3: AsyncWeb3[Any],
           weth: str, cfg: GenConfig) -> list[Example]:
    done: list[Example] = []
    settle = 0
    while len(done) < cfg.launches:
        market.tick()
        if market.stats.launches >= cfg.launches:
            settle += 1
            if settle > MAX_SETTLE_TICKS:
                break
        if market.stats.launches_failed > cfg.launches:
            raise DevnetError(f"{market.stats.launches_failed} launches failed on the devnet")
        head = market.w3.eth.block_number
        posts = market.feed.since(0, limit=10**6)
        for p in market.judged:
            cutoff = p.live.launch_block + cfg.cutoff_blocks
            if p.example is None and head >= cutoff:
                p.example = loop.run_until_complete(_observe(aw3, p, weth, cutoff, posts))
            if p.example is not None and not p.labelled and head >= cutoff + cfg.horizon:
                p.labelled = True
                ratio = loop.run_until_complete(_future(aw3, p, weth, cfg))
                ex = p.example
                done.append(Example(ex.obs, ex.family, ex.scam, ratio, ex.index))
                if cfg.progress:
                    cfg.progress(len(done), cfg.launches)
    done.sort(key=lambda e: e.index)
    log.info("ml.datagen_done", examples=len(done), **market.summary())
    return done


async def _observe(aw3: AsyncWeb3[Any], p: _Pending, weth: str, cutoff: int,
                   posts: list[dict[str, Any]]) -> Example:
    live = p.live
    mine = [q for q in posts if str(q.get("token_address", "")).lower()
            == live.token.address.lower()]  # fmt: skip
    report = p.report if p.report and p.report.block_number <= cutoff else None
    obs = await observe(aw3, token=live.token.address, pair=live.pair, quote=weth,
                        created_block=live.launch_block, cutoff=cutoff, report=report,
                        creator=live.owner.address, social=mine)
    return Example(obs, live.plan.family, live.token.scam, 0.0, live.plan.index)


async def _future(aw3: AsyncWeb3[Any], p: _Pending, weth: str, cfg: GenConfig) -> float:
    assert p.example is not None
    o = p.example.obs
    price = o.liq_cutoff / o.token_res_cutoff if o.token_res_cutoff else 0.0
    return await future_max_ratio(aw3, token=o.token, pair=o.pair, quote=weth, cutoff=o.cutoff,
                                  horizon=cfg.horizon, price_at_cutoff=price)
