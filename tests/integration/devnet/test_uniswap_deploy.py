"""Official Uniswap V2 on a real anvil: init-code hash, pairFor, swaps in exact integers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_abi import encode
from eth_utils import keccak
from web3 import Web3

from claudedex.devnet.anvil import AnvilProcess
from claudedex.devnet.artifacts import load_artifact
from claudedex.devnet.deployment import DevnetDeployment
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.txs import Sender, TxReverted
from claudedex.devnet.uniswap import (
    check_router_init_code_hash,
    create2_pair_address,
    erc20_contract,
    factory_contract,
    get_amount_out,
    pair_contract,
    router_contract,
    weth_contract,
)

pytestmark = pytest.mark.anvil

EXPECTED_INIT_CODE_HASH = "96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f"
DEADLINE = 2**40
E18 = 10**18


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[AnvilProcess, Web3, DevnetDeployment]]:
    anvil, w3, deployment = start_devnet_chain()
    try:
        yield anvil, w3, deployment
    finally:
        anvil.stop()


def _deploy_token(sender: Sender, supply: int) -> str:
    return sender.deploy(load_artifact("ERC20").bytecode, encode(["uint256"], [supply]))


def _pool(
    w3: Web3, deployment: DevnetDeployment, sender: Sender, venue: str, tokens: int, eth: int
) -> tuple[str, str]:
    token = _deploy_token(sender, 10**9 * E18)
    router = router_contract(w3, deployment.venues[venue])
    sender.transact(erc20_contract(w3, token).functions.approve(router.address, 2**256 - 1))
    sender.transact(
        router.functions.addLiquidityETH(token, tokens, 0, 0, sender.address, DEADLINE),
        value=eth,
    )
    pair = factory_contract(w3, deployment.venues[venue]).functions.getPair(
        token, deployment.weth
    ).call()
    return token, pair


def _reserves(w3: Web3, pair: str, token_in: str) -> tuple[int, int]:
    p = pair_contract(w3, pair)
    r0, r1, _ = p.functions.getReserves().call()
    return (r0, r1) if p.functions.token0().call() == token_in else (r1, r0)


def test_router_hard_codes_the_factory_pair_init_code_hash() -> None:
    pair_code = load_artifact("UniswapV2Pair").bytecode
    assert keccak(pair_code).hex() == EXPECTED_INIT_CODE_HASH
    assert check_router_init_code_hash().hex() == EXPECTED_INIT_CODE_HASH
    assert b"\x7f" + keccak(pair_code) in load_artifact("UniswapV2Router02").bytecode


def test_factory_created_pair_lives_where_router_pair_for_looks(
    chain: tuple[AnvilProcess, Web3, DevnetDeployment],
) -> None:
    anvil, w3, deployment = chain
    sender = Sender.from_dev(w3, anvil.accounts[1])
    for name in ("uniswap", "sushiswap"):
        token, pair = _pool(w3, deployment, sender, name, 1_000_000 * E18, 10 * E18)
        venue = deployment.venues[name]
        assert pair == create2_pair_address(venue.factory, token, deployment.weth)
        # the deployed pair's runtime came from the creation code we hashed
        runtime = bytes(w3.eth.get_code(pair))
        assert len(runtime) > 0
        # getAmountsOut only works if pairFor (hard-coded hash) finds the factory's pair
        router = router_contract(w3, venue)
        amounts = router.functions.getAmountsOut(E18 // 10, [deployment.weth, token]).call()
        r_in, r_out = _reserves(w3, pair, deployment.weth)
        assert amounts == [E18 // 10, get_amount_out(E18 // 10, r_in, r_out)]


def test_venues_are_distinct_deployments(
    chain: tuple[AnvilProcess, Web3, DevnetDeployment],
) -> None:
    _, w3, deployment = chain
    uni, sushi = deployment.venues["uniswap"], deployment.venues["sushiswap"]
    assert len({uni.factory, uni.router, sushi.factory, sushi.router, deployment.weth}) == 5
    for venue in (uni, sushi):
        router = router_contract(w3, venue)
        assert router.functions.factory().call() == venue.factory
        assert router.functions.WETH().call() == deployment.weth


@pytest.mark.parametrize("venue", ["uniswap", "sushiswap"])
def test_buy_then_sell_match_get_amount_out_exactly(
    chain: tuple[AnvilProcess, Web3, DevnetDeployment], venue: str
) -> None:
    anvil, w3, deployment = chain
    lp = Sender.from_dev(w3, anvil.accounts[2])
    trader = Sender.from_dev(w3, anvil.accounts[3])
    token, pair = _pool(w3, deployment, lp, venue, 500_000 * E18, 25 * E18)
    router = router_contract(w3, deployment.venues[venue])
    erc20 = erc20_contract(w3, token)

    # buy: ETH -> token
    eth_in = 3 * E18 + 12345
    r_weth, r_token = _reserves(w3, pair, deployment.weth)
    expected_tokens = (eth_in * 997 * r_token) // (r_weth * 1000 + eth_in * 997)
    assert expected_tokens == get_amount_out(eth_in, r_weth, r_token)
    before = erc20.functions.balanceOf(trader.address).call()
    trader.transact(
        router.functions.swapExactETHForTokens(
            expected_tokens, [deployment.weth, token], trader.address, DEADLINE
        ),
        value=eth_in,
    )
    got = erc20.functions.balanceOf(trader.address).call() - before
    assert got == expected_tokens
    assert _reserves(w3, pair, deployment.weth) == (r_weth + eth_in, r_token - expected_tokens)

    # sell: token -> ETH (WETH unwrapped by the router), gas accounted exactly
    tokens_in = got // 3
    r_token, r_weth = _reserves(w3, pair, token)
    expected_eth = (tokens_in * 997 * r_weth) // (r_token * 1000 + tokens_in * 997)
    trader.transact(erc20.functions.approve(router.address, tokens_in))
    eth_before = w3.eth.get_balance(trader.address)
    receipt = trader.transact(
        router.functions.swapExactTokensForETH(
            tokens_in, expected_eth, [token, deployment.weth], trader.address, DEADLINE
        )
    )
    gas_cost = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(trader.address) == eth_before + expected_eth - gas_cost
    assert _reserves(w3, pair, token) == (r_token + tokens_in, r_weth - expected_eth)


def test_min_out_one_wei_above_quote_reverts(
    chain: tuple[AnvilProcess, Web3, DevnetDeployment],
) -> None:
    anvil, w3, deployment = chain
    lp = Sender.from_dev(w3, anvil.accounts[4])
    token, pair = _pool(w3, deployment, lp, "uniswap", 100_000 * E18, 5 * E18)
    router = router_contract(w3, deployment.venues["uniswap"])
    r_weth, r_token = _reserves(w3, pair, deployment.weth)
    quote = get_amount_out(E18, r_weth, r_token)
    with pytest.raises(TxReverted):
        lp.transact(
            router.functions.swapExactETHForTokens(
                quote + 1, [deployment.weth, token], lp.address, DEADLINE
            ),
            value=E18,
            gas=300_000,
        )


def test_weth_wraps_and_unwraps(chain: tuple[AnvilProcess, Web3, DevnetDeployment]) -> None:
    anvil, w3, deployment = chain
    s = Sender.from_dev(w3, anvil.accounts[5])
    weth = weth_contract(w3, deployment.weth)
    s.transact(weth.functions.deposit(), value=7 * E18)
    assert weth.functions.balanceOf(s.address).call() == 7 * E18
    s.transact(weth.functions.withdraw(2 * E18))
    assert weth.functions.balanceOf(s.address).call() == 5 * E18
