"""Families that fool simulators or wait (issue 14): each behaves as labelled on real anvil.

Real signed transactions from funded wallets (gas price > 0, no code); the simulator's view
is an eth_call with gas price 0 or from a contract address.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError

from claudedex.devnet.zoo import FAMILIES, SwapFailed, buy, sell
from claudedex.devnet.zoo.measure import measured_buy, measured_sell
from claudedex.devnet.zoo.trading import DEADLINE, ensure_allowance, router_at

pytestmark = pytest.mark.anvil

ETH = 10**18


def _sell_call(chain: Any, token: Any, seller: str, amount: int, **tx: Any) -> Any:
    """The router sell as an eth_call (what a simulator without the victim's fields sees)."""
    r = router_at(chain.w3, chain.router)
    fn = r.functions.swapExactTokensForETHSupportingFeeOnTransferTokens(
        amount, 0, [token.address, chain.deployment.weth], seller, DEADLINE)
    params: Any = {"from": seller, **tx}
    return fn.call(params)


def _rpc(chain: Any, method: str, params: list[Any]) -> Any:
    return chain.w3.provider.make_request(method, params)


def test_catalogue_labels() -> None:
    for name in ("gasprice_gate", "codeless_seller_gate", "contract_recipient_block",
                 "block_time_bomb", "timestamp_tax_ramp"):
        assert FAMILIES[name].scam and FAMILIES[name].action is None
    assert not FAMILIES["honest_cooldown"].scam


def test_gasprice_gate_sells_only_at_gas_price_zero(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("gasprice_gate")
    trader = zoo_chain.traders[7]
    got = buy(zoo_chain.w3, trader, zoo_chain.router, token.address, ETH // 4).amount_out
    assert got > 0
    ensure_allowance(zoo_chain.w3, trader, token.address, zoo_chain.router, got)
    _sell_call(zoo_chain, token, trader.address, got, gasPrice=0)  # a simulator: fine
    with pytest.raises(ContractLogicError):
        _sell_call(zoo_chain, token, trader.address, got, gasPrice=10**9)
    with pytest.raises(SwapFailed):
        sell(zoo_chain.w3, trader, zoo_chain.router, token.address, got)


def test_codeless_seller_gate_traps_wallets(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("codeless_seller_gate")
    trader = zoo_chain.traders[8]
    got = buy(zoo_chain.w3, trader, zoo_chain.router, token.address, ETH // 4).amount_out
    assert got > 0
    with pytest.raises(SwapFailed):
        sell(zoo_chain.w3, trader, zoo_chain.router, token.address, got)
    # the same transfer into the pool from an address with code goes through
    c = token.contract(zoo_chain.w3)
    weth = Web3.to_checksum_address(zoo_chain.deployment.weth)
    code = {"code": _rpc(zoo_chain, "eth_getCode", [weth, "latest"])["result"]}
    data = c.functions.transfer(pair, got).build_transaction(
        {"from": trader.address, "gas": 200_000, "gasPrice": 0})["data"]
    ok = _rpc(zoo_chain, "eth_call", [{"from": trader.address, "to": token.address,
                                       "data": data}, "latest", {trader.address: code}])
    assert "error" not in ok, ok


def test_contract_recipient_block_stops_contract_buyers_and_wallet_sells(
    zoo_chain: Any, launch_family: Any
) -> None:
    token, pair = launch_family("contract_recipient_block")
    trader = zoo_chain.traders[9]
    got = buy(zoo_chain.w3, trader, zoo_chain.router, token.address, ETH // 4).amount_out
    assert got > 0
    c = token.contract(zoo_chain.w3)
    with pytest.raises(ContractLogicError, match="contracts not allowed"):
        c.functions.transfer(zoo_chain.deployment.weth, 1).call({"from": trader.address})
    assert c.functions.transfer(zoo_chain.traders[0].address, 1).call({"from": trader.address})
    with pytest.raises(SwapFailed):
        sell(zoo_chain.w3, trader, zoo_chain.router, token.address, got)


def test_block_time_bomb_fires_900_blocks_after_launch(
    zoo_chain: Any, launch_family: Any
) -> None:
    token, pair = launch_family("block_time_bomb")
    w3, trader = zoo_chain.w3, zoo_chain.traders[1]
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 4).amount_out
    assert sell(w3, trader, zoo_chain.router, token.address, got // 2).amount_out > 0
    start = token.contract(w3).functions.seasonStart().call()
    assert start > 0 and token.extra["bomb_after_blocks"] == 900
    gap = start + 901 - w3.eth.block_number
    _rpc(zoo_chain, "anvil_mine", [hex(max(gap, 1))])
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, got // 4)


def test_timestamp_tax_ramp_goes_to_90_percent(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("timestamp_tax_ramp")
    w3, trader = zoo_chain.w3, zoo_chain.traders[2]
    ramp = token.extra["ramp_after_s"]
    assert 2 * 3600 <= ramp <= 12 * 3600
    b = measured_buy(w3, trader, zoo_chain.router, token.address, pair, ETH // 4)
    early = measured_sell(w3, trader, zoo_chain.router, token.address, pair,
                          b.swap.amount_out // 2)
    assert 190 <= early.sell_tax_bps() <= 200
    _rpc(zoo_chain, "evm_increaseTime", [ramp + 60])
    _rpc(zoo_chain, "evm_mine", [])
    late = measured_sell(w3, trader, zoo_chain.router, token.address, pair,
                         b.swap.amount_out // 4)
    assert 8990 <= late.sell_tax_bps() <= 9000


def test_honest_cooldown_lasts_30_seconds(zoo_chain: Any, launch_family: Any) -> None:
    token, pair = launch_family("honest_cooldown")
    w3, trader = zoo_chain.w3, zoo_chain.traders[3]
    c = token.contract(w3)
    assert c.functions.SELL_COOLDOWN().call() == 30
    assert "owner" not in {f["name"] for f in token.abi if f.get("type") == "function"}
    assert token.extra["lp_burned"] == token.extra["lp_minted"] > 0
    got = buy(w3, trader, zoo_chain.router, token.address, ETH // 4).amount_out
    bought_at = c.functions.lastBuyAt(trader.address).call()
    _rpc(zoo_chain, "evm_setNextBlockTimestamp", [bought_at + 10])
    with pytest.raises(SwapFailed):
        sell(w3, trader, zoo_chain.router, token.address, got)
    _rpc(zoo_chain, "evm_setNextBlockTimestamp", [bought_at + 31])
    _rpc(zoo_chain, "evm_mine", [])
    assert sell(w3, trader, zoo_chain.router, token.address, got).amount_out > 0


VICTIM_FAMILIES = ("gasprice_gate", "codeless_seller_gate", "contract_recipient_block",
                   "block_time_bomb", "timestamp_tax_ramp", "honest_cooldown")


class _Only:
    """The zoo source restricted to this file's families (the planner draws from it)."""

    def __init__(self) -> None:
        from claudedex.devnet.tokens import default_source

        self.inner = default_source()

    def families(self) -> dict[str, bool]:
        return {k: v for k, v in self.inner.families().items() if k in VICTIM_FAMILIES}

    def deploy(self, *args: Any, **kwargs: Any) -> Any:
        return self.inner.deploy(*args, **kwargs)


def test_market_simulator_launches_the_new_families(tmp_path: Any) -> None:
    from decimal import Decimal

    from claudedex.devnet.accounts import TOTAL_ACCOUNTS
    from claudedex.devnet.labels import read_labels
    from claudedex.devnet.market import MarketConfig
    from claudedex.devnet.sim import build_market
    from claudedex.devnet.testing import start_devnet_chain

    anvil, w3, deployment = start_devnet_chain(accounts=TOTAL_ACCOUNTS, data_dir=tmp_path)
    try:
        market = build_market(w3, deployment, anvil.accounts, tmp_path,
                              MarketConfig(seed=4, launch_rate_per_min=Decimal(60), tick_s=1.0),
                              _Only())
        for _ in range(30):
            market.tick()
        labels = read_labels(tmp_path / "labels.jsonl")
    finally:
        anvil.stop()
    launches = [r for r in labels if r["event"] == "launch"]
    assert not [r for r in labels if r["event"] == "launch_failed"]
    assert len({r["family"] for r in launches}) >= 3
    for rec in launches:
        assert rec["scam"] is FAMILIES[str(rec["family"])].scam
