"""Paper is never rosier than live: the PaperVenue against a real send on the same anvil.

The operator trusts a setup on paper before real money, so every paper fill is checked
against what the same order gets when the live engine (ChainVenue) signs and sends it: a
token that lets only simulators sell, the gas a real send pays, a fee cap the network is
over, a sell of tokens not held on paper; and paper itself never signs nor sends anything.
"""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from eth_account import Account

from claudedex.execution.states import OrderState
from tests.integration.rpc_proxy import JsonRpcProxy

pytestmark = [pytest.mark.anvil]
E18 = 10**18
SENDS = {"eth_sendRawTransaction", "eth_sendTransaction", "eth_sign", "eth_signTransaction",
         "eth_signTypedData_v4", "personal_sign"}


def _zoo(chain: Any, family: str, symbol: str) -> str:
    """A zoo token of ``family`` launched on uniswap (5e23 tokens against 10 ETH)."""
    from claudedex.devnet.zoo import deploy_family, launch

    owner = Account.from_key(chain.anvil.accounts[1].private_key)
    token = deploy_family(chain.w3, family, owner, name=symbol, symbol=symbol,
                          supply=10**24, rng=random.Random(5), deployment=chain.deployment)
    launch(chain.w3, token, chain.deployment.venues["uniswap"].router,
           token_amount=5 * 10**23, eth_amount=10 * E18)
    return str(token.address)


async def _paper(make_rig: Any, chain: Any, **venue_kwargs: Any) -> Any:
    from claudedex.execution.paper import PaperVenue

    probe = await make_rig()
    return await make_rig(venue=PaperVenue(probe.aw3, chain.deployment.weth, **venue_kwargs))


async def test_a_token_only_simulators_can_sell_does_not_sell_on_paper(
        make_rig, chain, make_proposal) -> None:
    """gasprice_gate reverts every sell whose tx.gasprice is over 0: a simulation at gas
    price 0 sold it on paper, while every real send reverts."""
    token = _zoo(chain, "gasprice_gate", "GATE")
    paper = await _paper(make_rig, chain)
    bought = await paper.engine.execute(make_proposal(token, "buy", E18 // 10))
    assert bought.state is OrderState.FILLED, bought.detail
    sold = await paper.engine.execute(make_proposal(token, "sell", bought.amount_out))
    assert sold.state is OrderState.FAILED, sold.detail
    assert "paper: the swap reverts on the live chain" in sold.detail and sold.amount_out == 0

    live = await make_rig()  # the same orders sent for real on the same chain
    real_buy = await live.engine.execute(make_proposal(token, "buy", E18 // 10))
    assert real_buy.state is OrderState.FILLED, real_buy.detail
    real_sell = await live.engine.execute(make_proposal(token, "sell", real_buy.amount_out))
    assert real_sell.state is OrderState.FAILED


async def test_a_sell_locked_after_each_buy_does_not_sell_on_paper(
        make_rig, chain, make_proposal) -> None:
    """cooldown locks a buyer's sells for 7 days after each buy. Live, the account bought
    and the sell reverts; on paper the buy was only simulated, so the sell simulation saw a
    holder that never bought and sold."""
    token = _zoo(chain, "cooldown", "COOL")
    paper = await _paper(make_rig, chain)
    bought = await paper.engine.execute(make_proposal(token, "buy", E18 // 10))
    assert bought.state is OrderState.FILLED, bought.detail
    sold = await paper.engine.execute(make_proposal(token, "sell", bought.amount_out))
    assert sold.state is OrderState.FAILED and sold.amount_out == 0, sold.detail
    assert "refuses this sell after the account's buy" in sold.detail

    live = await make_rig()
    real_buy = await live.engine.execute(make_proposal(token, "buy", E18 // 10))
    real_sell = await live.engine.execute(make_proposal(token, "sell", real_buy.amount_out))
    assert real_buy.state is OrderState.FILLED and real_sell.state is OrderState.FAILED


async def test_a_short_honest_cooldown_is_judged_by_the_buy_s_age(
        make_rig, chain, make_proposal) -> None:
    """honest_cooldown locks sells for 30 s after a buy: a sell right after the paper buy
    is refused as live refuses it; with the buy's time unknown (another process bought, a
    restart) the sell is checked as late as its deadline allows, and fills."""
    from claudedex.execution.paper import PaperVenue

    token = _zoo(chain, "honest_cooldown", "CALM")
    paper = await _paper(make_rig, chain)
    bought = await paper.engine.execute(make_proposal(token, "buy", E18 // 10))
    assert bought.state is OrderState.FILLED, bought.detail
    early = await paper.engine.execute(make_proposal(token, "sell", bought.amount_out))
    assert early.state is OrderState.FAILED
    assert "refuses this sell after the account's buy" in early.detail

    restarted = await make_rig(account=paper.account,
                               venue=PaperVenue(paper.aw3, chain.deployment.weth))
    later = await restarted.engine.execute(make_proposal(token, "sell", bought.amount_out))
    assert later.state is OrderState.FILLED and later.amount_out > 0, later.detail


async def test_paper_gas_is_what_a_real_send_pays(make_rig, chain, make_proposal) -> None:
    """A paper fill's gas is priced at base fee plus the tip live offers, and a sell counts
    the approval live sends first; it was base fee alone (a tenth of the real cost)."""
    token = _zoo(chain, "honest_ownable", "GAS")
    paper = await _paper(make_rig, chain)
    live = await make_rig()
    paper_buy = await paper.engine.execute(make_proposal(token, "buy", E18 // 10))
    live_buy = await live.engine.execute(make_proposal(token, "buy", E18 // 10))
    assert paper_buy.state is live_buy.state is OrderState.FILLED
    assert paper_buy.amount_out == live_buy.amount_out  # the same swap on the same pool
    # live mined one block later, at a base fee no higher (the devnet's blocks are light)
    assert paper_buy.gas_cost_wei >= live_buy.gas_cost_wei > 0

    paper_sell = await paper.engine.execute(make_proposal(token, "sell", live_buy.amount_out))
    live_sell = await live.engine.execute(make_proposal(token, "sell", live_buy.amount_out))
    assert paper_sell.state is live_sell.state is OrderState.FILLED
    receipt = chain.w3.eth.get_transaction_receipt(live_sell.mined_hash)  # type: ignore[arg-type]
    approvals = await live.history(f"{live_sell.id}:approve")
    assert approvals and approvals[-1] == "filled"  # live sent an approval first
    # the swap alone costs what live's receipt says; the approval comes on top
    assert paper_sell.gas_cost_wei > int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])


async def test_a_base_fee_over_the_cap_refuses_the_paper_fill(make_rig, chain,
                                                              make_proposal) -> None:
    """Live refuses to send when the base fee is over limits.max_gas_price_gwei: so does
    paper (it filled regardless)."""
    from claudedex.config import load_profile

    base = load_profile("devnet")
    head_fee = int(chain.w3.eth.get_block("latest")["baseFeePerGas"])
    assert head_fee > 1
    capped = base.model_copy(update={"limits": base.limits.model_copy(
        update={"max_gas_price_gwei": Decimal(1) / 10**9})})  # 1 wei
    from claudedex.execution.paper import PaperVenue

    probe = await make_rig()
    paper = await make_rig(profile=capped, venue=PaperVenue(probe.aw3, chain.deployment.weth))
    order = await paper.engine.execute(make_proposal(chain.plain, "buy", E18 // 10))
    assert order.state is OrderState.FAILED
    assert "above the profile cap" in order.detail and order.amount_out == 0


async def test_paper_never_sells_more_than_it_holds(make_rig, chain, make_proposal) -> None:
    """The sell's tokens are placed in the simulation by a storage override: without a
    check against the paper holdings, paper sold tokens it never had (live reverts) and the
    book counted the proceeds as profit."""
    holdings: dict[str, int] = {}
    paper = await _paper(make_rig, chain, held=lambda t: holdings.get(t.lower(), 0))
    never = await paper.engine.execute(make_proposal(chain.plain, "sell", 10**20))
    assert never.state is OrderState.FAILED and "0 held on paper" in never.detail

    bought = await paper.engine.execute(make_proposal(chain.plain, "buy", E18 // 10))
    assert bought.state is OrderState.FILLED
    holdings[chain.plain.lower()] = bought.amount_out
    over = await paper.engine.execute(make_proposal(chain.plain, "sell", bought.amount_out + 1))
    assert over.state is OrderState.FAILED and over.amount_out == 0
    assert f"{bought.amount_out} held on paper" in over.detail
    whole = await paper.engine.execute(make_proposal(chain.plain, "sell", bought.amount_out))
    assert whole.state is OrderState.FILLED and whole.amount_out > 0


async def test_no_zoo_token_fills_better_on_paper_than_sent(make_rig, chain,
                                                            make_proposal) -> None:
    """Every family of the devnet zoo, bought then sold on paper and for real on the same
    state: whatever a real send does not get, paper does not get either (a revert is a
    revert), and no paper fill is larger than the real one."""
    from claudedex.devnet.zoo import FAMILIES, deploy_family, launch
    from claudedex.execution.paper import PaperVenue

    owner = Account.from_key(chain.anvil.accounts[1].private_key)
    live = await make_rig()
    paper = await make_rig(venue=PaperVenue(live.aw3, chain.deployment.weth))
    for n, family in enumerate(FAMILIES):
        token = deploy_family(chain.w3, family, owner, name=family, symbol=f"Z{n}",
                              supply=10**24, rng=random.Random(n), deployment=chain.deployment)
        launch(chain.w3, token, chain.deployment.venues["uniswap"].router,
               token_amount=5 * 10**23, eth_amount=10 * E18)
        address = str(token.address)
        orders = []
        for side in ("buy", "sell"):
            amount = E18 // 10 if side == "buy" else orders[-1][1].amount_out
            if amount == 0:
                break
            on_paper = await paper.engine.execute(make_proposal(address, side, amount))
            sent = await live.engine.execute(make_proposal(address, side, amount))
            orders.append((on_paper, sent))
        for on_paper, sent in orders:
            case = f"{family} {on_paper.side}: paper {on_paper.detail!r}, sent {sent.detail!r}"
            if sent.state is not OrderState.FILLED:
                assert on_paper.state is OrderState.FAILED, case
            assert on_paper.amount_out <= sent.amount_out, case


class CountingProxy(JsonRpcProxy):
    """Forwards every JSON-RPC request to anvil and remembers its method."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.methods: list[str] = []

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        for one in body if isinstance(body, list) else [body]:
            self.methods.append(str(one["method"]))
        async with self._session.post(self.upstream, json=body) as resp:
            return web.json_response(await resp.json())


async def test_paper_never_signs_nor_sends(make_rig, chain, make_proposal) -> None:
    """A paper engine holding a real signer: buys, sells and a refused sell reach the node
    as reads and simulations only; the signer is never asked and the nonce never moves."""
    from claudedex.execution.paper import PaperVenue

    proxy = CountingProxy(chain.rpc_url)
    url = await proxy.start()
    try:
        probe = await make_rig(rpc_url=url)
        paper = await make_rig(rpc_url=url, venue=PaperVenue(probe.aw3, chain.deployment.weth))
        asked: list[dict[str, Any]] = []
        signer = paper.engine.flow.signer
        real_sign = signer.sign_transaction

        async def counting_sign(tx: dict[str, Any]) -> bytes:
            asked.append(tx)
            return bytes(await real_sign(tx))

        signer.sign_transaction = counting_sign
        nonce = chain.w3.eth.get_transaction_count(paper.account.address)
        bought = await paper.engine.execute(make_proposal(chain.plain, "buy", E18 // 20))
        half = make_proposal(chain.plain, "sell", bought.amount_out // 2)
        sold = await paper.engine.execute(half)
        exit_ = await paper.engine.execute(dataclasses.replace(
            make_proposal(chain.plain, "sell", bought.amount_out // 4), strategy="exit"))
        assert bought.state is sold.state is exit_.state is OrderState.FILLED
        assert "eth_simulateV1" in proxy.methods
        assert not SENDS & set(proxy.methods), sorted(SENDS & set(proxy.methods))
        assert asked == []
        assert chain.w3.eth.get_transaction_count(paper.account.address) == nonce
        for order in (bought, sold, exit_):
            history = await paper.history(order.id)
            assert "signed" not in history and "sent" not in history
            assert order.mined_hash == "" and not order.attempts
    finally:
        await proxy.stop()
