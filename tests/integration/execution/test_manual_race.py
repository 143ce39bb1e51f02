"""Concurrent manual buys are judged against each other: the risk limits hold.

Red team reproduction: eight buys of one token sent at once through the control API all
filled, 80 % of equity in one token against a 25 % limit. Each request's risk check read
the buys in flight, but counted itself only after awaiting the route check and the audit
row, so every request was judged as if alone. Now a buy is counted in flight in the same
step as its limits are judged (and released if it goes no further).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.integration.execution.test_cli_trade import write_manifest

pytestmark = [pytest.mark.anvil]
AMOUNT = 25 * 10**16  # 0.25 ETH a buy; the devnet's cap per token is 25 % of 5 ETH


def test_concurrent_manual_buys_of_one_token_stay_within_its_exposure_limit(chain) -> None:
    account = next(chain.accounts)
    write_manifest(chain, account)

    async def scenario() -> tuple[list[object], int, int]:
        from claudedex.config import load_profile
        from claudedex.domain import Side
        from claudedex.engine import Engine
        from claudedex.errors import ClaudeDexError
        from claudedex.kernel import BuildOptions
        from claudedex.paths import data_dir
        from claudedex.trade_request import TradeRequest

        profile = load_profile("devnet")
        engine = Engine(profile, data_dir=data_dir("devnet"), serve_control=False,
                        options=BuildOptions(feeds=False, start_devnet=False))
        await engine.start()
        try:
            assert engine.kernel is not None
            trades = engine.kernel.trades

            async def buy() -> object:
                try:
                    return await trades.trade(TradeRequest(
                        side=Side.BUY, token=chain.plain, amount="0.25", override="risky",
                        by="race"))
                except ClaudeDexError as exc:
                    return exc

            results = await asyncio.gather(*(buy() for _ in range(8)))
            equity = int(Decimal(str(profile.strategy.params["equity_quote"])) * 10**18)
            cap = int(equity * profile.limits.max_token_exposure_pct / 100)
            return list(results), cap, len(engine.kernel.strategy.view.portfolio.committed)
        finally:
            await engine.stop()

    results, cap, left_committed = asyncio.run(scenario())
    refused = [r for r in results if isinstance(r, Exception) and str(r).startswith("risk")]
    proposed = len(results) - len(refused)  # passed the risk check: sent for execution
    assert 1 <= proposed and proposed * AMOUNT <= cap, (proposed, cap, results)  # before: 8
    filled = [r for r in results if getattr(r, "state", "") == "filled"]
    assert filled and sum(int(getattr(r, "amount_in", 0)) for r in filled) <= cap
    assert left_committed == 0  # the refused ones are not left counted in flight
