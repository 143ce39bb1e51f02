"""One running devnet: anvil, WETH + two venues, stable quote assets (USDC/USDT-like, with
deep WETH pools: the manifest's ``quotes``), HTTP APIs and (optionally) the market.

The shape picks the chain id and whether WETH and the venues sit at pinned addresses
(``ethereum``: chain id 1 and the mainnet addresses, see ``shapes``); the market and the
token zoo use whatever addresses the deployment reports, so they run on every shape.

Why deploy on automine and only then switch to interval mining: deployment is five
transactions; at one block per second that alone would miss the "ready in < 5 s" goal.
The market runs in a worker thread (sync web3) so the aiohttp server stays responsive.
"""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web
from web3 import Web3

from claudedex.devnet.accounts import TOTAL_ACCOUNTS, plan_accounts
from claudedex.devnet.anvil import AnvilProcess, DevAccount, private_data_dir
from claudedex.devnet.deployment import DevnetDeployment, with_quote_assets
from claudedex.devnet.http_server import start_http
from claudedex.devnet.labels import LABELS_FILE
from claudedex.devnet.manifest import MANIFEST_FILE, DevnetManifest
from claudedex.devnet.market import MarketConfig, MarketSimulator
from claudedex.devnet.pinned import deploy_shape
from claudedex.devnet.pricebook import PriceBook
from claudedex.devnet.shapes import DEFAULT_SHAPE, Shape, shape_named
from claudedex.devnet.sim import build_market
from claudedex.devnet.social import SocialFeed
from claudedex.devnet.testing import connect

log = structlog.get_logger(__name__)


def _deploy(w3: Web3, deployer: DevAccount, shape: Shape) -> DevnetDeployment:
    """The shape's WETH and venues, then the stable quote assets and their WETH pools."""
    return with_quote_assets(w3, deploy_shape(w3, deployer, shape))


@dataclass(frozen=True)
class DevnetOptions:
    data_dir: Path
    port: int = 0
    seed: int = 7
    block_time: int = 1
    launch_rate_per_min: Decimal = Decimal("6")
    market: bool = True
    tick_s: float = 1.0
    http_port: int = 0
    shape: str = DEFAULT_SHAPE


@dataclass
class DevnetService:
    options: DevnetOptions
    anvil: AnvilProcess | None = None
    deployment: DevnetDeployment | None = None
    market: MarketSimulator | None = None
    manifest: DevnetManifest | None = None
    _runner: web.AppRunner | None = None
    _stop_market: threading.Event = field(default_factory=threading.Event)
    _market_task: asyncio.Task[None] | None = None

    async def start(self) -> DevnetManifest:
        """Start everything; returns once the chain is ready (the market keeps going)."""
        opts = self.options
        shape = shape_named(opts.shape)
        private_data_dir(opts.data_dir)  # 0700: the manifest and anvil's files hold keys
        # spawned from this (the loop's) thread: die_with_parent ties anvil to our lifetime
        self.anvil = AnvilProcess(
            port=opts.port, block_time=0, accounts=TOTAL_ACCOUNTS,
            data_dir=opts.data_dir, die_with_parent=True, chain_id=shape.chain_id,
        )  # fmt: skip
        try:
            self.anvil.start()
            w3 = connect(self.anvil.rpc_url)
            self.deployment = await asyncio.to_thread(
                _deploy, w3, self.anvil.accounts[0], shape
            )
            if opts.block_time > 0:
                w3.provider.make_request("evm_setIntervalMining", [opts.block_time])  # type: ignore[arg-type]  # anvil RPC method
                w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]  # anvil RPC method
            config = MarketConfig(seed=opts.seed, launch_rate_per_min=opts.launch_rate_per_min,
                                  tick_s=opts.tick_s)
            self.market = build_market(w3, self.deployment, self.anvil.accounts, opts.data_dir,
                                       config)
            book: PriceBook = self.market.book
            feed: SocialFeed = self.market.feed
            self._runner, http_url = await start_http(book, feed, port=opts.http_port)
        except BaseException:
            await self.stop()
            raise
        free = plan_accounts(self.anvil.accounts).free
        self.manifest = DevnetManifest(
            rpc_url=self.anvil.rpc_url,
            ws_url=self.anvil.ws_url,
            chain_id=self.deployment.chain_id,
            weth=self.deployment.weth,
            venues={n: v.to_json() for n, v in self.deployment.venues.items()},
            accounts=[{"address": a.address, "private_key": a.private_key} for a in free],
            labels=str(opts.data_dir / LABELS_FILE),
            dexscreener_url=http_url,
            social_url=http_url,
            data_dir=str(opts.data_dir),
            pid=self.anvil.pid or 0,
            service_pid=os.getpid(),
            seed=opts.seed,
            block_time=opts.block_time,
            market=opts.market,
            shape=shape.name,
            quotes=[q.to_json() for q in self.deployment.quotes],
        )
        self.manifest.write(opts.data_dir)
        if opts.market:
            self._market_task = asyncio.create_task(
                asyncio.to_thread(self.market.run, self._stop_market), name="devnet-market"
            )
        return self.manifest

    async def wait(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; a crashed market is reported, the chain keeps going."""
        waiter = asyncio.create_task(stop.wait())
        tasks: set[asyncio.Future[Any]] = {waiter}
        if self._market_task is not None:
            tasks.add(self._market_task)
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if self._market_task in done and self._market_task is not None:
            exc = self._market_task.exception()
            log.error("devnet.market_crashed", error=repr(exc))
            self._market_task = None
            await stop.wait()
        waiter.cancel()

    async def stop(self) -> None:
        """Stop the market, the HTTP server and anvil; remove the manifest file."""
        self._stop_market.set()
        if self._market_task is not None:
            try:
                await asyncio.wait_for(self._market_task, timeout=30)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("devnet.market_stop_timeout")
            except Exception as exc:  # noqa: BLE001 - reported, shutdown continues
                log.error("devnet.market_failed", error=repr(exc))
            self._market_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.anvil is not None:
            self.anvil.stop()
        (self.options.data_dir / MANIFEST_FILE).unlink(missing_ok=True)
