"""Every swap passes the price-impact limit, and routes through the profile's stablecoins.

Reproduction from the field: a token whose deep pool is against a stablecoin and whose WETH
pool holds 0.01 ETH; a 0.1 ETH buy filled in the WETH pool at 90.9 % price impact with no
warning. Now the planner (the one step every path takes before signing or simulating)
quotes ``WETH -> TOKEN`` and ``WETH -> USDC -> TOKEN`` on every venue, takes the best route
within ``limits.max_price_impact_bps`` and refuses with the numbers when none is. Exits have
their own, wider limit (``limits.max_exit_price_impact_bps``).
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from typing import Any

import pytest
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claudedex.config import load_profile
from claudedex.execution.routes import route_impact_bps
from claudedex.execution.states import OrderState
from claudedex.portfolio.core import EXIT_STRATEGY
from claudedex.wallet.spend import decode_swap

pytestmark = pytest.mark.anvil
E18 = 10**18
LIMITS = load_profile("devnet").limits
DEADLINE = 2**40
_names = itertools.count()


@dataclasses.dataclass
class World:
    usdc: str
    owner: Any
    router: Any
    uni: Any


def _approve_all(chain, owner, token: str, spender: str) -> None:
    from claudedex.devnet.uniswap import erc20_contract

    erc20_contract(chain.w3, token).functions.approve(spender, 2**256 - 1).transact(
        {"from": owner.address})


def _token(chain, world: World, symbol: str) -> str:
    from claudedex.devnet.zoo import deploy_family

    token = deploy_family(chain.w3, "honest_ownable", world.owner, name=symbol, symbol=symbol,
                          supply=10**9 * E18, rng=random.Random(next(_names)),
                          deployment=chain.deployment)
    _approve_all(chain, world.owner, token.address, world.uni.router)
    return str(token.address)


def _pool_eth(chain, world: World, token: str, tokens: int, eth: int) -> None:
    world.router.functions.addLiquidityETH(token, tokens, 0, 0, world.owner.address,
                                           DEADLINE).transact(
        {"from": world.owner.address, "value": eth})


def _pool(chain, world: World, a: str, b: str, amount_a: int, amount_b: int) -> None:
    world.router.functions.addLiquidity(a, b, amount_a, amount_b, 0, 0, world.owner.address,
                                        DEADLINE).transact({"from": world.owner.address})


@pytest.fixture(scope="module")
def world(chain) -> World:
    """A stablecoin (USDC) with a deep WETH pool on uniswap: 100 ETH vs 300,000 USDC."""
    from claudedex.devnet.uniswap import router_contract

    owner = Account.from_key(chain.anvil.accounts[-2].private_key)
    uni = chain.deployment.venues["uniswap"]
    w = World("", owner, router_contract(chain.w3, uni), uni)
    w.usdc = _token(chain, w, "USDC")
    _pool_eth(chain, w, w.usdc, 300_000 * E18, 100 * E18)
    return w


def field_token(chain, world: World) -> str:
    """The field's token: 1,000,000 against 300,000 USDC, and 100 against 0.01 ETH."""
    token = _token(chain, world, f"DEEP{next(_names)}")
    _pool(chain, world, token, world.usdc, 1_000_000 * E18, 300_000 * E18)
    _pool_eth(chain, world, token, 100 * E18, E18 // 100)
    return token


def thin_token(chain, world: World) -> str:
    """Only a WETH pool, of 0.01 ETH."""
    token = _token(chain, world, f"THIN{next(_names)}")
    _pool_eth(chain, world, token, 100 * E18, E18 // 100)
    return token


def _reserves(chain, a: str, b: str) -> tuple[int, int]:
    from claudedex.devnet.uniswap import factory_contract, pair_contract

    uni = chain.deployment.venues["uniswap"]
    pair = factory_contract(chain.w3, uni).functions.getPair(a, b).call()
    r0, r1, _ = pair_contract(chain.w3, pair).functions.getReserves().call()
    token0 = pair_contract(chain.w3, pair).functions.token0().call()
    return (r0, r1) if token0.lower() == a.lower() else (r1, r0)


def _path(order) -> tuple[str, ...]:
    swap = decode_swap(bytes.fromhex(order.data[2:]))
    assert swap is not None
    return tuple(a.lower() for a in swap.path)


def _give(chain, world: World, token: str, to: str, amount: int) -> None:
    from claudedex.devnet.uniswap import erc20_contract

    erc20_contract(chain.w3, token).functions.transfer(to, amount).transact(
        {"from": world.owner.address})


async def test_the_field_buy_routes_through_the_stablecoin(make_rig, chain, world,
                                                           make_proposal) -> None:
    token = field_token(chain, world)
    weth = chain.deployment.weth
    direct = route_impact_bps(E18 // 10, [_reserves(chain, weth, token)], 30)
    assert direct == 9092  # what the field's fill paid: 90.9 % (fee included, rounded up)
    rig = await make_rig(route_via=[world.usdc])
    order = await rig.engine.execute(make_proposal(token, "buy", E18 // 10))
    assert order.state is OrderState.FILLED, order.detail
    assert _path(order) == (weth.lower(), world.usdc.lower(), token.lower())
    assert 0 < order.price_impact_bps <= LIMITS.max_price_impact_bps
    # ~299 USDC buys ~992 tokens; the dust WETH pool would have given ~91
    assert order.amount_out > 900 * E18
    history = [e.data.get("detail", "") for e in await rig.journal.history(order.id)]
    assert any(f"price impact {order.price_impact_bps} bps" in d for d in history)


async def test_a_buy_over_the_limit_is_refused_with_the_numbers(make_rig, chain, world,
                                                                make_proposal) -> None:
    token = thin_token(chain, world)
    rig = await make_rig(route_via=[world.usdc])
    order = await rig.engine.execute(make_proposal(token, "buy", E18 // 10))
    assert order.state is OrderState.FAILED
    limit = LIMITS.max_price_impact_bps
    assert f"price impact 9092 bps is over the limit {limit} bps" in order.detail
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 0  # nothing signed


async def test_exits_have_their_own_wider_limit(make_rig, chain, world, make_proposal) -> None:
    token = thin_token(chain, world)
    rig = await make_rig(route_via=[world.usdc])
    _give(chain, world, token, rig.account.address, 20 * E18)
    # 15 of 100 tokens: ~13 % impact, over the 10 % limit of an ordinary sell...
    manual = await rig.engine.execute(make_proposal(token, "sell", 15 * E18))
    assert manual.state is OrderState.FAILED
    assert f"over the limit {LIMITS.max_price_impact_bps} bps" in manual.detail
    # ...within the 30 % exit limit: a stop-loss still gets out
    exit_sell = dataclasses.replace(make_proposal(token, "sell", 15 * E18),
                                    strategy=EXIT_STRATEGY)
    filled = await rig.engine.execute(exit_sell)
    assert filled.state is OrderState.FILLED, filled.detail
    assert LIMITS.max_price_impact_bps < filled.price_impact_bps
    assert filled.price_impact_bps <= LIMITS.max_exit_price_impact_bps
    # and an exit past the exit limit is refused too: 10,000 tokens into a ~115-token pool
    _give(chain, world, token, rig.account.address, 10_000 * E18)
    dump = dataclasses.replace(make_proposal(token, "sell", 10_000 * E18),
                               strategy=EXIT_STRATEGY)
    refused = await rig.engine.execute(dump)
    assert refused.state is OrderState.FAILED
    assert f"over the limit {LIMITS.max_exit_price_impact_bps} bps" in refused.detail


async def test_paper_fills_pass_the_same_limit(make_rig, chain, world, make_proposal) -> None:
    from claudedex.execution.paper import PaperVenue

    thin, deep = thin_token(chain, world), field_token(chain, world)
    probe = await make_rig()
    paper = await make_rig(route_via=[world.usdc],
                           venue=PaperVenue(probe.aw3, chain.deployment.weth))
    refused = await paper.engine.execute(make_proposal(thin, "buy", E18 // 10))
    assert refused.state is OrderState.FAILED and "price impact 9092 bps" in refused.detail
    filled = await paper.engine.execute(make_proposal(deep, "buy", E18 // 10))
    assert filled.state is OrderState.FILLED, filled.detail
    assert world.usdc.lower() in _path(filled) and filled.amount_out > 900 * E18


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weth_pool=st.integers(E18 // 1000, 5 * E18), stable_pool=st.sampled_from([0, 3, 3000]),
       amount=st.integers(E18 // 1000, E18 // 2), side=st.sampled_from(["buy", "sell"]),
       exit_=st.booleans())
async def test_no_fill_is_over_its_price_impact_limit(make_rig, chain, world, make_proposal,
                                                      weth_pool: int, stable_pool: int,
                                                      amount: int, side: str,
                                                      exit_: bool) -> None:
    """Whatever the pools and the trade: a fill's route, measured on the reserves it met,
    is within the limit that applies to it; anything else is refused unsent."""
    token = _token(chain, world, f"PROP{next(_names)}")
    _pool_eth(chain, world, token, 1_000 * E18, weth_pool)  # 0.001 - 5 ETH of depth
    if stable_pool:
        _pool(chain, world, token, world.usdc, 1_000 * E18 * stable_pool // 3,
              stable_pool * 100 * E18)
    rig = await make_rig(route_via=[world.usdc])
    size = amount if side == "buy" else amount * 1_000 * E18 // max(weth_pool, 1)
    if side == "sell":
        _give(chain, world, token, rig.account.address, size)
    proposal = make_proposal(token, side, size)
    exit_ = exit_ and side == "sell"  # exits are sells
    if exit_:
        proposal = dataclasses.replace(proposal, strategy=EXIT_STRATEGY)
    limit = (LIMITS.max_exit_price_impact_bps if exit_ else LIMITS.max_price_impact_bps)
    before = {(a, b): _reserves(chain, a, b) for a, b in itertools.permutations(
        [token, world.usdc, chain.deployment.weth], 2)
        if not {a, b} == {world.usdc, token} or stable_pool}
    nonce = chain.w3.eth.get_transaction_count(rig.account.address)
    order = await rig.engine.execute(proposal)
    if order.state is OrderState.FILLED:
        path = [chain.w3.to_checksum_address(a) for a in _path(order)]
        met = [before[(a, b)] for a, b in itertools.pairwise(path)]
        assert route_impact_bps(size, met, 30) == order.price_impact_bps <= limit
    else:
        assert order.state is OrderState.FAILED
        assert "price impact" in order.detail, order.detail
        assert chain.w3.eth.get_transaction_count(rig.account.address) == nonce


async def test_only_a_sell_gets_the_exit_limit(make_rig, chain, world, make_proposal) -> None:
    """Red-team reproduction: a buy whose proposal said ``strategy="exit"`` (a user strategy
    file may name itself anything) was planned under the wider exit limit and filled at
    ~13 % impact past the 10 % buy limit. Exits are sells; a buy keeps the ordinary limit."""
    token = thin_token(chain, world)
    rig = await make_rig(route_via=[world.usdc])
    buy = dataclasses.replace(make_proposal(token, "buy", E18 * 15 // 10_000),
                              strategy=EXIT_STRATEGY)
    order = await rig.engine.execute(buy)
    assert order.state is OrderState.FAILED, order.detail
    assert f"over the limit {LIMITS.max_price_impact_bps} bps" in order.detail
    assert chain.w3.eth.get_transaction_count(rig.account.address) == 0  # nothing signed
