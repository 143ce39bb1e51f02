"""What ``claudedex scan`` runs: judge given tokens, or follow a factory and judge new pairs.

Why here and not in the CLI: the scan command and the engine must judge alike, so the
scanner is the engine's own parts (TokenAssessor for one token; PairFollower and
SafetyAnalyzer for ``--follow``) with the command line's inputs. A token the factory has no
pair for, or whose pair cannot be read, gets its own ``unknown`` line with the reason; it
never stops the batch. Only inputs that make every token impossible (no node, no router)
raise UserInputError.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.domain import Finding, RiskReport, Severity, Verdict
from claudedex.errors import ChainError, UserInputError
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import addr_word, as_address
from claudedex.safety.assess import AdvisoryChecks, AssessConfig, TokenAssessor
from claudedex.safety.deployer import DeployerStore
from claudedex.safety.report_json import report_to_json

log = structlog.get_logger(__name__)

FACTORY = bytes.fromhex("c45a0155")  # factory()
WETH = bytes.fromhex("ad5c4648")  # WETH()
GET_PAIR = bytes.fromhex("e6a43905")  # getPair(address,address)

Emit = Callable[[dict[str, Any]], Awaitable[None]]


class Scanner:
    """Judges tokens traded against the router's WETH on ``factory`` (default: the router's).

    ``open()`` must succeed first; it raises UserInputError when the node does not answer
    or the router is not a Uniswap V2 Router02.
    """

    def __init__(self, w3: AsyncWeb3[Any], router: str, *, factory: str = "",
                 config: AssessConfig | None = None, advisory: AdvisoryChecks | None = None,
                 history: DeployerStore | None = None) -> None:
        self.w3 = w3
        self.reader = ChainReader(w3)
        self.router = router.lower()
        self.factory = factory.lower()
        self.config = config or AssessConfig()
        self.advisory = advisory
        self.history = history
        self.weth = ""
        self.chain_id = 0
        self._assessor: TokenAssessor | None = None

    async def open(self, rpc_label: str) -> None:
        """Chain id, the router's factory and WETH; ``rpc_label`` names the node in errors."""
        try:
            self.chain_id = int(await self.reader.request("eth_chainId", []), 16)
            code = await self.reader.code(self.router)
        except ChainError as exc:
            raise UserInputError(f"--rpc-url {rpc_label}: the node does not answer "
                                 f"({exc})") from None
        if not code:
            raise UserInputError(f"--router {self.router}: no contract at that address")
        factory_w = await self.reader.call_word(self.router, FACTORY)
        weth_w = await self.reader.call_word(self.router, WETH)
        if factory_w is None or weth_w is None:
            raise UserInputError(f"--router {self.router}: not a Uniswap V2 Router02 "
                                 "(factory()/WETH() failed)")
        self.factory = self.factory or as_address(factory_w)
        if not await self.reader.code(self.factory):
            raise UserInputError(f"--factory {self.factory}: no contract at that address")
        self.weth = as_address(weth_w)
        self._assessor = TokenAssessor(self.w3, self.config, chain_id=self.chain_id,
                                       advisory=self.advisory, history=self.history)

    @property
    def assessor(self) -> TokenAssessor:
        if self._assessor is None:
            raise RuntimeError("Scanner.open() was not called")
        return self._assessor

    async def scan(self, token: str) -> dict[str, Any]:
        """One JSON-ready line for ``token``: its report, or ``unknown`` with the reason."""
        started = time.perf_counter()
        token = token.lower()
        try:
            word = await self.reader.call_word(
                self.factory, GET_PAIR + addr_word(token) + addr_word(self.weth))
        except ChainError as exc:
            return _unknown(token, started, "PAIR_UNREADABLE",
                            f"the factory's getPair failed: {exc}")
        if not word:
            return _unknown(token, started, "NO_PAIR",
                            f"no pair with WETH {self.weth} on factory {self.factory}")
        report = await self.assessor.assess(token=token, pair=as_address(word),
                                            quote=self.weth, router=self.router)
        return report_to_json(report)

    async def follow(self, emit: Emit, stop: asyncio.Event, *, poll_s: float = 0.5) -> None:
        """Judge every pair the factory creates from now on, until ``stop`` is set.

        The engine's own discovery and analyzer: a pair created empty is judged again once
        its liquidity arrives (a second line for it).
        """
        from claudedex.discovery.follower import PairFollower
        from claudedex.discovery.state import MemoryStateStore
        from claudedex.safety.analyzer import SafetyAnalyzer

        bus = EventBus()
        head = await self.reader.block_number()
        follower = PairFollower(bus, self.w3, {"scan": self.factory}, self.weth, self.chain_id,
                                MemoryStateStore(), poll_interval_s=poll_s,
                                start_block=head + 1, reorg_depth=1)

        async def on_report(report: RiskReport) -> None:
            await emit(report_to_json(report))

        analyzer = SafetyAnalyzer(bus, self.w3, {"scan": self.router}, self.weth,
                                  config=self.config, chain_id=self.chain_id,
                                  settle_blocks=0, on_report=on_report, history=self.history)
        analyzer.assessor = self.assessor
        log.info("scan.following", factory=self.factory, from_block=head + 1)
        tasks = [asyncio.ensure_future(follower.run()), asyncio.ensure_future(analyzer.run())]
        try:
            stopped = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait([*tasks, stopped], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                failure = None if task is stopped else task.exception()
                if failure is not None:
                    raise failure
        finally:
            for task in (*tasks, stopped):
                task.cancel()
            await asyncio.gather(*tasks, stopped, return_exceptions=True)


def _unknown(token: str, started: float, code: str, detail: str) -> dict[str, Any]:
    report = RiskReport(token=token, pair="", verdict=Verdict.UNKNOWN,
                        findings=(Finding(code, Severity.HIGH, detail, {}),),
                        elapsed_ms=(time.perf_counter() - started) * 1000)
    line = report_to_json(report)
    line["pair"] = None
    return line
