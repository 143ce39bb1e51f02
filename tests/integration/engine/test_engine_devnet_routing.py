"""``claudedex run --profile devnet`` routes through the devnet's stables: the profile's
``route_via`` comes from the manifest, the market launches tokens deep against USDC/USDT,
discovery follows those pools (valued in native) and a buy of one fills through them."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from eth_typing import HexStr

from claudedex.config import load_profile
from claudedex.devnet.testing import connect
from claudedex.domain import Side
from claudedex.engine import Engine
from claudedex.events import PairDiscovered, PriceTicked
from claudedex.trade_request import TradeRequest
from claudedex.wallet.spend import decode_swap

pytestmark = [pytest.mark.anvil, pytest.mark.slow]


async def test_devnet_run_discovers_stable_pools_and_buys_through_them(tmp_path: Path) -> None:
    profile = load_profile("devnet")
    assert profile.devnet is not None and profile.chain.route_via == ()
    fast = profile.devnet.model_copy(update={"launch_rate_per_min": Decimal(30), "seed": 3})
    engine = Engine(profile.model_copy(update={"devnet": fast}), data_dir=tmp_path / "d")
    events = engine.events([PairDiscovered.topic, PriceTicked.topic], name="test")
    await engine.start()
    try:
        assert engine.kernel is not None and engine.kernel.devnet is not None
        stables = [q["address"] for q in engine.kernel.devnet.quotes]
        assert len(stables) == 2
        assert engine.kernel.profile.chain.route_via == tuple(stables)
        routed: PairDiscovered | None = None
        quote_asset_pairs: list[str] = []  # the stables' own WETH pools are no launches
        async with asyncio.timeout(240):
            while True:
                ev = await events.get()
                if (isinstance(ev, PairDiscovered)
                        and ev.pair.token in {s.lower() for s in stables}):
                    quote_asset_pairs.append(ev.pair.pair)
                if isinstance(ev, PairDiscovered) and ev.source == "route":
                    routed = ev
                if (routed is not None and isinstance(ev, PriceTicked)
                        and ev.pair == routed.pair.pair and ev.reserve_quote > 10**18):
                    depth = ev.reserve_quote  # its USDC/USDT valued in wei: 1-20 ETH
                    break
        assert routed.pair.quote in {s.lower() for s in stables}
        assert quote_asset_pairs == []
        assert depth < 40 * 10**18
        # the console's `trade buy 0.05`: the token's WETH pool holds 0.01 ETH (~83 %
        # impact), so only the route through the stable fills it within the 10 % limit; the
        # token is judged on that dust pool (low liquidity: risky), hence the typed override
        result = await engine.trade(TradeRequest(Side.BUY, routed.pair.token, "0.05",
                                                 override="risky", by="test"))
        assert result.state == "filled", result.detail
        w3 = connect(engine.kernel.devnet.rpc_url)
        tx = await asyncio.to_thread(w3.eth.get_transaction, HexStr(result.tx_hash))
        swap = decode_swap(bytes(tx["input"]))
        assert swap is not None
        assert [a.lower() for a in swap.path] == [engine.kernel.devnet.weth.lower(),
                                                  routed.pair.quote, routed.pair.token]
        assert result.amount_out >= result.amount_out_min > 0
    finally:
        await engine.stop()
