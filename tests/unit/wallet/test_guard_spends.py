"""The guard values everything a transaction spends, not only its ETH value, and signs exactly
the transaction it checked.

Reproductions from the field: after the daily cap was reached a ``swapExactTokensForTokens``
of 1000 WETH (value 0) was signed; ``approve`` to any address was signed; a dict changed
after the check was signed to another address while the audit named the router.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claudedex.clock import ManualClock
from claudedex.errors import SignerRefused
from claudedex.wallet.guard import GuardedSigner
from claudedex.wallet.local import DevnetSigner
from claudedex.wallet.sim.samples import ROUTER, TEST_ADDRESS, TEST_KEY
from claudedex.wallet.spend import decode_swap
from tests.unit.wallet.test_guard import TOKEN, WETH, approve_data, sel, tx

ETH = 10**18
SHIT = "0x" + "99" * 20  # a token with no pool: cannot be valued
SWAP3 = ["uint256", "uint256", "address[]", "address", "uint256"]


def swap(name: str, amount: int, path: list[str], to: str = TEST_ADDRESS) -> bytes:
    return sel(f"{name}(uint256,uint256,address[],address,uint256)") + encode(
        SWAP3, [amount, 1, path, to, 2**40])


async def valuer(token: str, amount: int) -> int | None:
    """TOKEN is worth 1/1000 WETH; anything else has no pool."""
    return amount // 1000 if token.lower() == TOKEN.lower() else None


async def balance_of(token: str) -> int:
    return 10**21 if token.lower() == TOKEN.lower() else 0


def guard(**kw: Any) -> GuardedSigner:
    args: dict[str, Any] = dict(
        chain_id=31337, per_trade_cap_wei=ETH // 2, daily_cap_wei=ETH,
        allowed_targets={ROUTER}, allowed_approve_tokens={TOKEN}, is_halted=lambda: False,
        clock=ManualClock(start=1_700_000_000.0), quote_token=WETH, valuer=valuer,
        balance_of=balance_of)
    args.update(kw)
    return GuardedSigner(DevnetSigner(TEST_KEY), **args)


async def test_weth_in_swaps_count_against_both_caps() -> None:
    g = guard()
    with pytest.raises(SignerRefused, match="per-trade cap"):
        await g.sign_transaction(tx(value=0, data=swap(
            "swapExactTokensForTokens", 1000 * ETH, [WETH, TOKEN])))
    await g.sign_transaction(tx(nonce=0, value=0, data=swap(
        "swapExactTokensForTokens", ETH // 2, [WETH, TOKEN])))
    await g.sign_transaction(tx(nonce=1, value=ETH // 2))
    assert g.spent_today_wei() == ETH
    with pytest.raises(SignerRefused, match="daily cap"):  # the reproduction: value 0, 1 WETH
        await g.sign_transaction(tx(nonce=2, value=0, data=swap(
            "swapExactTokensForTokens", ETH // 10, [WETH, TOKEN])))


async def test_token_in_swaps_are_valued_and_unvaluable_ones_refused() -> None:
    g = guard()
    await g.sign_transaction(tx(value=0, data=swap(
        "swapExactTokensForTokens", 100 * ETH, [TOKEN, SHIT])))  # worth 0.1 WETH
    assert g.spent_today_wei() == ETH // 10
    with pytest.raises(SignerRefused, match="cannot value"):
        await g.sign_transaction(tx(nonce=1, value=0, data=swap(
            "swapExactTokensForTokens", ETH, [SHIT, TOKEN])))
    with pytest.raises(SignerRefused, match="per-trade cap"):  # exact-out: amountInMax counts
        await g.sign_transaction(tx(nonce=1, value=0, data=sel(
            "swapTokensForExactTokens(uint256,uint256,address[],address,uint256)") + encode(
            SWAP3, [1, 10**6 * ETH, [TOKEN, SHIT], TEST_ADDRESS, 2**40])))


async def test_exits_into_the_quote_asset_are_never_capped() -> None:
    g = guard()
    await g.sign_transaction(tx(nonce=0, value=ETH // 2))
    await g.sign_transaction(tx(nonce=1, value=ETH // 2))  # the day's cap is used up
    big_exit = swap("swapExactTokensForETH", 10**6 * ETH, [TOKEN, WETH])
    await g.sign_transaction(tx(nonce=2, value=0, data=big_exit))  # a stop-loss still exits
    assert g.spent_today_wei() == ETH


async def test_approvals_only_to_routers_and_bounded_by_the_balance() -> None:
    g = guard()
    await g.sign_transaction(tx(to=TOKEN, value=0, data=approve_data(amount=10**21)))
    await g.sign_transaction(tx(nonce=1, to=TOKEN, value=0, data=approve_data(amount=0)))
    for data, why in ((approve_data(amount=10**21 + 1), "exceeds"),
                      (approve_data(amount=2**256 - 1), "unlimited"),
                      (approve_data(spender=TEST_ADDRESS), "not a router")):
        with pytest.raises(SignerRefused, match=why):
            await g.sign_transaction(tx(nonce=2, to=TOKEN, value=0, data=data))
    await guard(allow_unlimited_approve=True).sign_transaction(
        tx(to=TOKEN, value=0, data=approve_data(amount=2**256 - 1)))


async def test_the_signer_gets_the_checked_transaction_not_the_callers_dict() -> None:
    seen: list[dict[str, Any]] = []
    inner = DevnetSigner(TEST_KEY)

    class SlowDevice:
        kind = "slow"
        address = inner.address

        async def sign_transaction(self, t: dict[str, Any]) -> bytes:
            seen.append(t)
            await asyncio.sleep(0)  # the button press: the caller runs meanwhile
            return await inner.sign_transaction(t)

    g = GuardedSigner(SlowDevice(), chain_id=31337, per_trade_cap_wei=ETH,  # type: ignore[arg-type]
                      daily_cap_wei=ETH, allowed_targets={ROUTER}, allowed_approve_tokens=set(),
                      is_halted=lambda: False, quote_token=WETH)
    caller = tx(value=ETH // 10)
    signing = asyncio.create_task(g.sign_transaction(caller))
    await asyncio.sleep(0)
    caller["to"] = TOKEN  # changed after the check
    caller["value"] = ETH
    raw = await signing
    decoded = Account.recover_transaction(raw)
    assert decoded == TEST_ADDRESS
    assert seen[0]["to"].lower() == ROUTER.lower() and seen[0]["value"] == ETH // 10
    assert seen[0] is not caller


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=400), value=st.integers(0, 2 * ETH),
       to=st.sampled_from([ROUTER, TOKEN, WETH, SHIT]))
def test_no_calldata_or_value_signs_past_the_caps_or_to_a_stranger(
        data: bytes, value: int, to: str) -> None:
    g = guard()

    async def attempt() -> bytes | None:
        try:
            return await g.sign_transaction(tx(to=to, value=value, data=data))
        except SignerRefused:
            return None

    raw = asyncio.run(attempt())
    if raw is None:
        return
    assert value <= ETH // 2 and g.spent_today_wei() <= ETH
    if to == ROUTER:
        parsed = decode_swap(data)
        assert parsed is not None and parsed.recipient == TEST_ADDRESS
    else:
        assert to == TOKEN and data[:4] == sel("approve(address,uint256)") and value == 0


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(0, 2**256 - 1), first=st.sampled_from([WETH, TOKEN, SHIT]),
       last=st.sampled_from([WETH, TOKEN, SHIT]),
       name=st.sampled_from(["swapExactTokensForTokens", "swapTokensForExactTokens",
                             "swapExactTokensForETH", "swapTokensForExactETH",
                             "swapExactTokensForTokensSupportingFeeOnTransferTokens"]))
def test_every_signed_swap_into_a_token_is_within_the_caps(amount: int, first: str, last: str,
                                                          name: str) -> None:
    g = guard()
    data = swap(name, amount, [first, last])

    async def attempt() -> bool:
        try:
            await g.sign_transaction(tx(value=0, data=data))
            return True
        except SignerRefused:
            return False

    signed = asyncio.run(attempt())
    if signed and last != WETH:  # a buy of a token: its input was valued within the cap
        given_in = 1 if "ForExact" in name else amount  # swap() puts amountInMax = 1 there
        spent = given_in if first == WETH else (given_in // 1000 if first == TOKEN else None)
        assert spent is not None and spent <= ETH // 2


async def test_quote_sent_round_a_loop_is_a_spend_not_an_exit() -> None:
    """Red-team reproduction: WETH -> X -> WETH with min-out 1 ends in the quote asset, and
    was signed uncapped as an "exit" while X's pool kept the WETH."""
    g = guard()
    for path in ([WETH, SHIT, WETH], [WETH, TOKEN, WETH]):
        with pytest.raises(SignerRefused, match="per-trade cap"):
            await g.sign_transaction(tx(value=0, data=swap(
                "swapExactTokensForTokens", 1000 * ETH, path)))
    assert g.spent_today_wei() == 0


async def test_only_a_direct_sell_into_the_quote_asset_is_an_uncapped_exit() -> None:
    """A held token routed through a stranger's token before the quote asset is valued like
    any other token-in swap (a hostile middle hop could drain the position)."""
    g = guard()
    with pytest.raises(SignerRefused, match="per-trade cap"):
        await g.sign_transaction(tx(value=0, data=swap(
            "swapExactTokensForETH", 10**6 * ETH, [TOKEN, SHIT, WETH])))
    await g.sign_transaction(tx(value=0, data=swap(
        "swapExactTokensForETH", 10**6 * ETH, [TOKEN, WETH])))  # the engine's exit


async def test_a_gas_limit_no_swap_needs_is_refused() -> None:
    """Red-team reproduction: gas = 10**12 at the 2 gwei fee cap was signed (2000 ETH of
    possible fees, outside every value cap)."""
    g = guard()
    with pytest.raises(SignerRefused, match="gas limit"):
        await g.sign_transaction(tx(gas=10**12))
    await g.sign_transaction(tx(gas=400_000))


async def test_an_exit_routed_through_a_profile_quote_asset_is_not_capped() -> None:
    """Red-team reproduction: the planner routes a stop-loss TOKEN -> USDC -> WETH when the
    token's deep pool is against USDC (``chain.route_via``); the guard valued that sell as a
    spend, so once the day's cap was used the stop-loss was refused. A middle hop that is one
    of the profile's own quote assets is an exit; a stranger's token still is not."""
    usdc = "0x" + "55" * 20
    g = guard(route_via=(usdc,))
    await g.sign_transaction(tx(nonce=0, value=ETH // 2))
    await g.sign_transaction(tx(nonce=1, value=ETH // 2))  # the day's cap is used up
    await g.sign_transaction(tx(nonce=2, value=0, data=swap(
        "swapExactTokensForETH", 10**6 * ETH, [TOKEN, usdc, WETH])))
    assert g.spent_today_wei() == ETH
    with pytest.raises(SignerRefused, match="cap"):
        await g.sign_transaction(tx(nonce=3, value=0, data=swap(
            "swapExactTokensForETH", 10**6 * ETH, [TOKEN, SHIT, WETH])))
    with pytest.raises(SignerRefused, match="cap"):  # quote out, round the via asset
        await g.sign_transaction(tx(nonce=3, value=0, data=swap(
            "swapExactTokensForTokens", ETH, [WETH, usdc, WETH])))
    with pytest.raises(SignerRefused, match="cap"):  # longer paths stay valued
        await g.sign_transaction(tx(nonce=3, value=0, data=swap(
            "swapExactTokensForETH", 10**6 * ETH, [TOKEN, usdc, TOKEN, WETH])))
