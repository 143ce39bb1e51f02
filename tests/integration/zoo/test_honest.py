"""Honest families on a real anvil: buy and sell work, tax is at most 5 % and exact."""

from __future__ import annotations

import random
from typing import Any

import pytest

from claudedex.devnet.zoo import deploy_family
from claudedex.devnet.zoo.measure import measured_buy, measured_sell
from claudedex.devnet.zoo.trading import DEAD, pair_at, token_at

pytestmark = pytest.mark.anvil

ETH = 10**18
ZERO = "0x0000000000000000000000000000000000000000"


def _round_trip(chain: Any, token: Any, pair: str, trader: Any) -> tuple[Any, Any]:
    b = measured_buy(chain.w3, trader, chain.router, token.address, pair, ETH // 2)
    assert b.swap.amount_out > 0
    s = measured_sell(chain.w3, trader, chain.router, token.address, pair, b.swap.amount_out)
    assert s.swap.amount_out > 0
    return b, s


def test_honest_renounced_renounces_burns_lp_and_trades_tax_free(
    zoo_chain: Any, launch_family: Any
) -> None:
    token, pair = launch_family("honest_renounced")
    c = token.contract(zoo_chain.w3)
    assert c.functions.owner().call() == ZERO
    lp = pair_at(zoo_chain.w3, pair)
    assert token.extra["lp_burned"] == token.extra["lp_minted"] > 0
    assert lp.functions.balanceOf(DEAD).call() == token.extra["lp_burned"]
    assert lp.functions.balanceOf(token.owner.address).call() == 0
    b, s = _round_trip(zoo_chain, token, pair, zoo_chain.traders[0])
    assert b.buy_tax_bps() == 0 and s.sell_tax_bps() == 0
    assert token.scam_actions(pair) == []


def test_honest_ownable_keeps_owner_without_powers(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("honest_ownable")
    c = token.contract(zoo_chain.w3)
    assert c.functions.owner().call() == token.owner.address
    owner_fns = {i["name"] for i in token.abi if i.get("type") == "function"}
    assert not owner_fns & {"mint", "pause", "setFee", "blacklist", "setBots", "upgradeTo"}
    lp = pair_at(zoo_chain.w3, pair)
    assert lp.functions.balanceOf(DEAD).call() == token.extra["lp_burned"] > 0
    assert lp.functions.balanceOf(token.owner.address).call() == 0
    b, s = _round_trip(zoo_chain, token, pair, zoo_chain.traders[1])
    assert b.buy_tax_bps() == 0 and s.sell_tax_bps() == 0
    assert token.scam_actions(pair) == []


@pytest.mark.parametrize("venue", ["uniswap", "sushiswap"])
def test_honest_fixed_tax_is_exactly_its_immutable_rate(
    zoo_chain: Any, launch_family: Any, venue: str
) -> None:
    token, pair = launch_family("honest_fixed_tax", seed=11, venue=venue)
    router = zoo_chain.deployment.venues[venue].router
    w3 = zoo_chain.w3
    c = token.contract(w3)
    bps = c.functions.TAX_BPS().call()
    assert bps == token.extra["tax_bps"]
    assert 100 <= bps <= 500
    assert c.functions.isMarketPair(pair).call() is True
    treasury = token.extra["treasury"]
    trader = zoo_chain.traders[2]

    b = measured_buy(w3, trader, router, token.address, pair, ETH // 2)
    assert b.swap.amount_out == b.pair_side - b.pair_side * bps // 10_000
    amount = b.swap.amount_out
    treasury_before = token_at(w3, token.address).functions.balanceOf(treasury).call()
    s = measured_sell(w3, trader, router, token.address, pair, amount)
    assert s.pair_side == amount - amount * bps // 10_000
    treasury_after = token_at(w3, token.address).functions.balanceOf(treasury).call()
    assert treasury_after - treasury_before == amount * bps // 10_000
    assert s.swap.amount_out > 0
    assert token.scam_actions(pair) == []


def test_same_seed_same_choices(zoo_chain: Any) -> None:
    """A seed reproduces a token's random choices (tax rate, treasury, action delay)."""

    def extra(seed: int) -> dict[str, Any]:
        token = deploy_family(
            zoo_chain.w3,
            "honest_fixed_tax",
            zoo_chain.owner,
            name="Seeded",
            symbol="SEED",
            supply=10**24,
            rng=random.Random(seed),
            deployment=zoo_chain.deployment,
        )
        return {k: token.extra[k] for k in ("tax_bps", "treasury", "scam_after_blocks")}

    assert extra(42) == extra(42)
    assert extra(42) != extra(43)
