"""A real anvil with WETH, both V2 venues, a plain token on both and a taxed token.

One chain per test module (anvil start + deployment costs seconds on a shared 2-core box);
each test takes its own funded dev account, so nonces and balances never interfere.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import AsyncHTTPProvider, AsyncWeb3, Web3

SUPPLY = 1_000_000 * 10**18
POOL_TOKENS = 500_000 * 10**18
POOL_ETH = 10 * 10**18


@dataclass
class Chain:
    anvil: Any
    w3: Web3
    deployment: Any
    plain: str  # honest token, pools on uniswap (10 ETH) and sushiswap (better price)
    taxed: str  # honest_fixed_tax token, pool on uniswap
    tax_bps: int
    accounts: Iterator[LocalAccount]

    @property
    def rpc_url(self) -> str:
        return str(self.anvil.rpc_url)

    def venues(self) -> list[Any]:
        from claudedex.execution.routing import VenueRef

        return [VenueRef(n, v.factory, v.router) for n, v in self.deployment.venues.items()]

    def routers(self) -> set[str]:
        return {v.router for v in self.deployment.venues.values()}

    async def wait_pooled(self, tx_hash: str) -> None:
        """Until the node knows the transaction (an OrderUpdated is published before send)."""
        import asyncio

        from web3.exceptions import TransactionNotFound

        for _ in range(600):
            try:
                self.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
                return
            except TransactionNotFound:
                await asyncio.sleep(0.05)
        raise AssertionError(f"{tx_hash} never reached the node")

    def rpc(self, method: str, params: list[Any]) -> Any:
        resp = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in resp:
            raise RuntimeError(resp["error"])
        return resp.get("result")


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    from claudedex.devnet.testing import start_devnet_chain
    from claudedex.devnet.zoo import add_liquidity_eth, deploy_family, launch

    anvil, w3, deployment = start_devnet_chain(accounts=30)
    try:
        owner = Account.from_key(anvil.accounts[1].private_key)
        plain = deploy_family(w3, "honest_ownable", owner, name="Plain", symbol="PLN",
                              supply=SUPPLY, rng=random.Random(1), deployment=deployment)
        launch(w3, plain, deployment.venues["uniswap"].router, token_amount=POOL_TOKENS,
               eth_amount=POOL_ETH)
        # sushiswap: more tokens per ETH -> the better venue for buys
        add_liquidity_eth(w3, owner, deployment.venues["sushiswap"].router, plain.address,
                          POOL_TOKENS // 4, POOL_ETH // 5)
        taxed = deploy_family(w3, "honest_fixed_tax", owner, name="Taxed", symbol="TAX",
                              supply=SUPPLY, rng=random.Random(2), deployment=deployment)
        launch(w3, taxed, deployment.venues["uniswap"].router, token_amount=POOL_TOKENS,
               eth_amount=POOL_ETH)
        keys = (Account.from_key(a.private_key) for a in anvil.accounts[2:])
        yield Chain(anvil, w3, deployment, plain.address, taxed.address,
                    int(taxed.extra["tax_bps"]), keys)
    finally:
        anvil.stop()


@dataclass
class Rig:
    """One engine on one fresh account with its own SQLite journal and halt file."""

    chain: Chain
    account: LocalAccount
    engine: Any
    journal: Any
    db: Any
    bus: Any
    halt: Any
    aw3: AsyncWeb3
    signed: list[float] = field(default_factory=list)

    async def wait_state(self, state: str, sub: Any) -> Any:
        """Next OrderUpdated with ``state`` on ``sub`` (a bus subscription)."""
        import asyncio

        async with asyncio.timeout(60):
            async for ev in sub:
                if getattr(ev, "state", None) == state:
                    return ev
        raise AssertionError(f"no {state} event")

    async def history(self, order_id: str) -> list[str]:
        return [e.state for e in await self.journal.history(order_id)]


def proposal(token: str, side: str, amount_in: int, *, pid: str | None = None,
             slippage_bps: int = 100) -> Any:
    from claudedex.domain import Side, TradeProposal, Verdict

    return TradeProposal(
        id=pid or f"p{next(_ids)}", token=token, pair="", venue="uniswap", side=Side(side),
        amount_in=amount_in, min_amount_out=0, quote_value=Decimal("0.1"),
        slippage_bps=slippage_bps, verdict=Verdict.SAFE)


_ids = itertools.count(1)


@pytest.fixture
def make_proposal() -> Callable[..., Any]:
    return proposal


RigFactory = Callable[..., Any]


@pytest.fixture
async def make_rig(chain: Chain, tmp_path: Path) -> AsyncIterator[RigFactory]:
    from claudedex.bus import EventBus
    from claudedex.clock import WallClock
    from claudedex.config import load_profile
    from claudedex.execution.engine import ExecutionEngine
    from claudedex.execution.valuation import ChainValuation
    from claudedex.halt import HaltSwitch
    from claudedex.storage import Database, OrderJournal
    from claudedex.wallet.guard import GuardedSigner, any_token
    from claudedex.wallet.local import DevnetSigner

    cleanup: list[Any] = []
    counter = itertools.count()

    async def _make(*, account: LocalAccount | None = None, db_path: Path | None = None,
                    **engine_kwargs: Any) -> Rig:
        acct = account or next(chain.accounts)
        n = next(counter)
        db = Database(f"sqlite:///{db_path or tmp_path / f'journal{n}.db'}")
        await db.open()
        journal = OrderJournal(db)
        await journal.start()
        halt = HaltSwitch(tmp_path / f"halt{n}.json")
        signed: list[float] = []
        inner = DevnetSigner(acct.key)
        timeout = engine_kwargs.pop("rpc_timeout_s", 30)
        aw3 = AsyncWeb3(AsyncHTTPProvider(engine_kwargs.pop("rpc_url", chain.rpc_url),
                                          request_kwargs={"timeout": timeout}))
        # as the builder wires it: a swap's token input valued at spot, through the
        # stablecoins the engine routes through (none unless a test names them)
        valuation = ChainValuation(aw3, chain.venues(), chain.deployment.weth, acct.address,
                                   via=engine_kwargs.get("route_via") or ())
        signer = GuardedSigner(inner, chain_id=31337, per_trade_cap_wei=10**19,
                               daily_cap_wei=10**21, allowed_targets=chain.routers(),
                               allowed_approve_tokens=any_token, is_halted=halt.is_halted,
                               quote_token=chain.deployment.weth, valuer=valuation.value)
        bus = EventBus()
        profile = engine_kwargs.pop("profile", None) or load_profile("devnet")
        engine = ExecutionEngine(bus, profile, aw3, signer, journal, halt.is_halted,
                                 WallClock(), chain.venues(), chain.deployment.weth,
                                 **engine_kwargs)
        rig = Rig(chain, acct, engine, journal, db, bus, halt, aw3, signed)

        async def close() -> None:
            await journal.close()
            await db.close()
            await aw3.provider.disconnect()

        cleanup.append(close)
        return rig

    yield _make
    for close in reversed(cleanup):
        await close()
