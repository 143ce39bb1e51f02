"""The field case on the devnet: a token whose deep pool is against the devnet's USDC and
whose WETH pool holds 0.01 ETH, launched the way the devnet market launches it.

Discovery must find the USDC pool (valued in native), the risk manager must size the buy
on it (not on the dust WETH pool, which allows only ~0.0003 ETH), and the sized proposal
must fill through USDC within the price-impact limit and above its approved min-out.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from claudedex.bus import EventBus
from claudedex.clock import WallClock
from claudedex.config import load_profile
from claudedex.devnet.deployment import with_quote_assets
from claudedex.devnet.launches import LaunchPlan
from claudedex.devnet.stablelaunch import THIN_POOL_WEI, launch_on_stable
from claudedex.devnet.tokens import PlainErc20Source
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import erc20_contract, factory_contract, router_contract
from claudedex.discovery.follower import PairFollower
from claudedex.discovery.state import MemoryStateStore
from claudedex.domain import Side, Signal
from claudedex.events import PairDiscovered, PriceTicked
from claudedex.execution.states import OrderState
from claudedex.market.ingest import ingest
from claudedex.market.view import MarketView
from claudedex.risk.manager import RiskManager, settings_from_profile
from claudedex.wallet.spend import decode_swap

pytestmark = pytest.mark.anvil

E18 = 10**18
PROFILE = load_profile("devnet")


@pytest.fixture(scope="module")
def field(chain: Any) -> dict[str, Any]:
    """The devnet's stables, then one plain token launched deep against USDC."""
    from web3 import AsyncHTTPProvider, AsyncWeb3  # noqa: F401 - the rig's provider kind

    deployment = with_quote_assets(chain.w3, chain.deployment)
    usdc = next(q for q in deployment.quotes if q.symbol == "USDC")
    dev = chain.anvil.accounts[-1]
    plan = LaunchPlan(index=0, family="plain_erc20", name="Deep Stable", symbol="DEEP",
                      venue="uniswap", supply=10**9 * E18, lp_share_bps=8000,
                      liquidity_eth=20 * E18, dev_index=0, quote="USDC")
    token = PlainErc20Source().deploy(chain.w3, "plain_erc20", dev, name=plan.name,
                                      symbol=plan.symbol, supply=plan.supply,
                                      rng=random.Random(1), deployment=deployment).address
    venue = deployment.venues["uniswap"]
    sender = Sender.from_dev(chain.w3, dev, deployment.chain_id)
    sender.transact(erc20_contract(chain.w3, token).functions.approve(
        router_contract(chain.w3, venue).address, 2**256 - 1), gas=150_000)
    start = chain.w3.eth.block_number
    _, deep_pair, _ = launch_on_stable(chain.w3, sender, venue, deployment, plan, token)
    thin_pair = factory_contract(chain.w3, venue).functions.getPair(
        token, deployment.weth).call()
    return {"deployment": deployment, "usdc": usdc.address, "token": token, "start": start,
            "deep": deep_pair.lower(), "thin": str(thin_pair).lower(),
            "via": [q.address for q in deployment.quotes]}


async def _discovered_view(chain: Any, field: dict[str, Any], aw3: Any) -> MarketView:
    """Run the real follower over the launch and fold what it published into a view."""
    bus = EventBus()
    sub = bus.subscribe("test", [PairDiscovered.topic, PriceTicked.topic])
    dep = field["deployment"]
    follower = PairFollower(bus, aw3, {n: v.factory for n, v in dep.venues.items()},
                            dep.weth, dep.chain_id, MemoryStateStore(),
                            start_block=field["start"], via=field["via"])
    await follower.step()
    view = MarketView(WallClock())
    while (ev := sub.get_nowait()) is not None:
        ingest(view, ev)
    view.portfolio.equity_quote = view.portfolio.cash_quote = 10 * E18
    return view


async def test_a_stable_deep_token_is_sized_on_its_usdc_pool_and_fills_through_it(
        chain: Any, field: dict[str, Any], make_rig: Any) -> None:
    rig = await make_rig(route_via=field["via"])
    view = await _discovered_view(chain, field, rig.aw3)
    token = field["token"].lower()
    deep, thin = view.pools[field["deep"]], view.pools[field["thin"]]
    assert thin.reserve_quote == THIN_POOL_WEI
    # the USDC pool's depth in wei: the 20 ETH the dev swapped into USDC, valued at the
    # USDC/WETH pool's mid price (which that swap moved, so a little over 20)
    assert 19 * E18 < deep.reserve_quote < 22 * E18
    assert view.token_pair[token] == field["deep"]

    risk = RiskManager(settings_from_profile(PROFILE))
    signal = Signal(strategy="momentum", token=token, pair=field["thin"], side=Side.BUY,
                    reason="breakout")
    result = risk.assess(signal, view, WallClock())
    assert result.proposal is not None, result.dropped
    proposal = result.proposal
    # 2 % of 10 ETH equity: the sizing rule decides, not the dust pool's impact cap
    # (which allows 0.01 ETH * 270 / 9730 = 0.00028 ETH)
    assert proposal.amount_in == 2 * E18 // 10 and result.size_by == "fixed sizing"
    assert proposal.pair == field["deep"]
    assert proposal.price_impact_bps < PROFILE.limits.max_slippage_bps

    order = await rig.engine.execute(proposal)
    assert order.state is OrderState.FILLED, order.detail
    swap = decode_swap(bytes.fromhex(order.data[2:]))
    assert swap is not None
    assert [a.lower() for a in swap.path] == [field["deployment"].weth.lower(),
                                              field["usdc"].lower(), token]
    assert 0 < order.price_impact_bps <= PROFILE.limits.max_price_impact_bps
    assert order.amount_out >= proposal.min_amount_out
    assert Decimal(order.amount_out) > Decimal(proposal.min_amount_out) * Decimal("1.01")


async def test_a_usdc_pool_added_after_the_weth_pool_is_found_and_valued_in_wei(
        chain: Any, field: dict[str, Any], make_rig: Any) -> None:
    dep = field["deployment"]
    dev = chain.anvil.accounts[-1]
    venue = dep.venues["sushiswap"]
    router = router_contract(chain.w3, venue)
    token = PlainErc20Source().deploy(chain.w3, "plain_erc20", dev, name="Late", symbol="LATE",
                                      supply=10**6 * E18, rng=random.Random(2),
                                      deployment=dep).address
    sender = Sender.from_dev(chain.w3, dev, dep.chain_id)
    sender.transact(erc20_contract(chain.w3, token).functions.approve(router.address,
                                                                      2**256 - 1))
    rig = await make_rig()
    bus = EventBus()
    sub = bus.subscribe("test", [PairDiscovered.topic, PriceTicked.topic])
    store = MemoryStateStore()
    factories = {n: v.factory for n, v in dep.venues.items()}
    follower = PairFollower(bus, rig.aw3, factories, dep.weth, dep.chain_id, store,
                            start_block=chain.w3.eth.block_number, via=field["via"])
    sender.transact(router.functions.addLiquidityETH(token, 1_000 * E18, 0, 0, sender.address,
                                                     2**40), value=E18 // 100)
    await follower.step()
    first = []
    while (ev := sub.get_nowait()) is not None:
        first.append(ev)
    mine = [e for e in first if isinstance(e, PairDiscovered)
            and e.pair.token == token.lower()]  # (the scan's reorg window sees older pairs)
    assert [e.source for e in mine] == ["chain"]
    # later the token gets its real market: 2 ETH worth of USDC against 100,000 tokens
    usdc = field["usdc"]
    from claudedex.devnet.quotes import stable_contract

    sender.transact(router.functions.swapExactETHForTokens(0, [dep.weth, usdc], sender.address,
                                                           2**40), value=2 * E18)
    got = stable_contract(chain.w3, usdc).functions.balanceOf(sender.address).call()
    sender.transact(stable_contract(chain.w3, usdc).functions.approve(router.address, got))
    sender.transact(router.functions.addLiquidity(token, usdc, 100_000 * E18, got, 0, 0,
                                                  sender.address, 2**40))
    await follower.step()
    later = []
    while (ev := sub.get_nowait()) is not None:
        later.append(ev)
    routed = [e for e in later if isinstance(e, PairDiscovered)
              and e.pair.token == token.lower()]
    assert len(routed) == 1 and routed[0].source == "route"
    info = routed[0].pair
    assert info.quote == usdc.lower() and info.token == token.lower()
    assert info.venue == "sushiswap"
    ticks = [e for e in later if isinstance(e, PriceTicked) and e.pair == info.pair]
    assert ticks and ticks[-1].reserve_token == 100_000 * E18
    # its USDC (6 decimals) in wei through the sushiswap USDC/WETH pool: about the 2 ETH paid
    assert 19 * E18 // 10 < ticks[-1].reserve_quote < 21 * E18 // 10
    # a restart keeps following it (the store remembers routed pairs too)
    again = PairFollower(EventBus(), rig.aw3, factories, dep.weth, dep.chain_id, store,
                         via=field["via"])
    assert info.pair in again.routed.pairs


@pytest.mark.slow
async def test_a_console_buy_of_the_field_token_fills_through_usdc(
        chain: Any, field: dict[str, Any]) -> None:
    """``trade buy 0.1`` on ``claudedex run --profile devnet``'s path: the devnet profile
    routes through the manifest's stables, the manual path sizes on the USDC pool (the
    dust WETH pool alone allows 0.00028 ETH) and the fill goes WETH -> USDC -> TOKEN."""
    import os

    from claudedex.devnet.manifest import DevnetManifest
    from claudedex.engine import Engine
    from claudedex.kernel import BuildOptions
    from claudedex.paths import data_dir
    from claudedex.trade_request import TradeRequest

    dep = field["deployment"]
    account = next(chain.accounts)
    DevnetManifest(
        rpc_url=chain.rpc_url, ws_url="", chain_id=dep.chain_id, weth=dep.weth,
        venues={n: {"factory": v.factory, "router": v.router} for n, v in dep.venues.items()},
        accounts=[{"address": account.address, "private_key": account.key.hex()}], labels="",
        pid=os.getpid(), quotes=[q.to_json() for q in dep.quotes],
    ).write(data_dir("devnet"))
    engine = Engine(PROFILE, data_dir=data_dir("devnet"),
                    options=BuildOptions(feeds=True, start_devnet=False), serve_control=False)
    await engine.start()
    try:
        assert engine.kernel is not None
        assert engine.kernel.profile.chain.route_via == tuple(field["via"])
        result = await engine.trade(TradeRequest(Side.BUY, field["token"], "0.1",
                                                 override="risky"))
        assert result.state == "filled", result.detail
        tx = chain.w3.eth.get_transaction(result.tx_hash)
        swap = decode_swap(bytes(tx["input"]))
        assert swap is not None
        assert [a.lower() for a in swap.path] == [dep.weth.lower(), field["usdc"].lower(),
                                                  field["token"].lower()]
        assert int(result.amount_out) >= int(result.amount_out_min) > 0
    finally:
        await engine.stop()
