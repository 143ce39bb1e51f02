"""GuardedSigner: every refusal, its audit record, and that a buggy strategy cannot
spend past the caps."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from claudedex.clock import ManualClock
from claudedex.errors import EngineHalted, SignerRefused
from claudedex.wallet.guard import ROUTER_SELECTORS, GuardedSigner
from claudedex.wallet.local import DevnetSigner
from claudedex.wallet.sim.samples import ROUTER, TEST_ADDRESS, TEST_KEY

ETH = 10**18
TOKEN = to_checksum_address("0x" + "77" * 20)
WETH = to_checksum_address("0x" + "88" * 20)
ATTACKER = to_checksum_address("0x" + "66" * 20)


def sel(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def buy_data(recipient: str = TEST_ADDRESS) -> bytes:
    args = abi_encode(
        ["uint256", "address[]", "address", "uint256"], [1, [WETH, TOKEN], recipient, 2**40]
    )
    return sel("swapExactETHForTokens(uint256,address[],address,uint256)") + args


def sell_data(recipient: str = TEST_ADDRESS) -> bytes:
    args = abi_encode(
        ["uint256", "uint256", "address[]", "address", "uint256"],
        [10**20, 1, [TOKEN, WETH], recipient, 2**40],
    )
    return sel("swapExactTokensForETH(uint256,uint256,address[],address,uint256)") + args


def approve_data(spender: str = ROUTER, amount: int = 10**20) -> bytes:
    return sel("approve(address,uint256)") + abi_encode(
        ["address", "uint256"], [spender, amount]
    )


def tx(
    to: str = ROUTER, value: int = ETH // 10, data: bytes | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "chainId": 31337,
        "nonce": 0,
        "gas": 300_000,
        "to": to,
        "value": value,
        "data": buy_data() if data is None else data,
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 10**9,
    }
    out.update(extra)
    return out


class Harness:
    def __init__(self) -> None:
        self.halted = False
        self.audits: list[tuple[str, dict[str, Any]]] = []
        self.clock = ManualClock(start=1_700_000_000.0)
        self.guard = GuardedSigner(
            DevnetSigner(TEST_KEY),
            chain_id=31337,
            per_trade_cap_wei=ETH // 2,
            daily_cap_wei=2 * ETH,
            allowed_targets={ROUTER.lower()},
            allowed_approve_tokens={TOKEN},
            is_halted=lambda: self.halted,
            audit=self.audit,
            clock=self.clock,
            max_fee_per_gas_wei=200 * 10**9,
            quote_token=WETH,
        )

    async def audit(self, kind: str, details: dict[str, Any]) -> None:
        self.audits.append((kind, details))

    def last_refusal(self) -> str:
        kind, details = self.audits[-1]
        assert kind == "signer.refused"
        return str(details["code"])


@pytest.fixture
def h() -> Harness:
    return Harness()


async def test_allowed_buy_sell_and_approve_are_signed_and_audited(h: Harness) -> None:
    for t in (tx(), tx(value=0, data=sell_data()), tx(to=TOKEN, value=0, data=approve_data())):
        raw = await h.guard.sign_transaction(t)
        assert Account.recover_transaction(raw) == TEST_ADDRESS
    assert [k for k, _ in h.audits] == ["signer.signed"] * 3
    assert h.guard.spent_today_wei() == ETH // 10


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (tx(chainId=1), "chain"),
        (tx(to=ATTACKER), "target"),
        (tx(value=ETH // 2 + 1), "per_trade_cap"),
        (tx(data=b"\xde\xad\xbe\xef"), "selector"),
        (tx(data=b""), "selector"),
        (tx(data=buy_data(ATTACKER)), "recipient"),
        (tx(value=0, data=sell_data(ATTACKER)), "recipient"),
        (tx(data=buy_data()[:40]), "calldata"),
        (tx(to=TOKEN, value=0, data=approve_data(ATTACKER)), "spender"),
        (tx(to=TOKEN, value=0, data=sel("transfer(address,uint256)") + bytes(64)), "target"),
        (tx(to=WETH, value=0, data=approve_data()), "target"),
        (tx(to=TOKEN, value=1, data=approve_data()), "value"),
        (tx(maxFeePerGas=201 * 10**9), "gas"),
        ({k: v for k, v in tx().items() if k != "to"}, "target"),
    ],
)
async def test_each_refusal_raises_and_is_audited(
    h: Harness, bad: dict[str, Any], code: str
) -> None:
    with pytest.raises(SignerRefused):
        await h.guard.sign_transaction(bad)
    assert h.last_refusal() == code
    assert h.guard.spent_today_wei() == 0


async def test_halted_flag_refuses_with_engine_halted(h: Harness) -> None:
    h.halted = True
    with pytest.raises(EngineHalted):
        await h.guard.sign_transaction(tx())
    assert h.last_refusal() == "halted"
    h.halted = False
    await h.guard.sign_transaction(tx())


async def test_halt_during_device_confirmation_discards_the_signature(h: Harness) -> None:
    class SlowDevice(DevnetSigner):
        async def sign_transaction(inner, t: dict[str, Any]) -> bytes:  # noqa: N805
            raw = await super().sign_transaction(t)
            h.halted = True  # operator hit the stop key while the device waited
            return raw

    h.guard._inner = SlowDevice(TEST_KEY)
    with pytest.raises(EngineHalted):
        await h.guard.sign_transaction(tx())
    assert h.guard.spent_today_wei() == 0


async def test_daily_cap_is_a_rolling_24h_window(h: Harness) -> None:
    for nonce in range(4):
        await h.guard.sign_transaction(tx(value=ETH // 2, nonce=nonce))
    with pytest.raises(SignerRefused, match="daily cap"):
        await h.guard.sign_transaction(tx(value=1, nonce=4))
    assert h.last_refusal() == "daily_cap"
    h.clock.advance_to(h.clock.now() + 86_399)
    with pytest.raises(SignerRefused):
        await h.guard.sign_transaction(tx(value=1, nonce=4))
    h.clock.advance_to(h.clock.now() + 2)
    await h.guard.sign_transaction(tx(value=ETH // 2, nonce=4))


async def test_fee_bump_of_same_nonce_is_not_counted_twice(h: Harness) -> None:
    """Only one transaction per nonce can be mined: a replacement adds only its increase."""
    await h.guard.sign_transaction(tx(value=ETH // 4, nonce=7))
    await h.guard.sign_transaction(tx(value=ETH // 4, nonce=7, maxFeePerGas=3 * 10**9))
    assert h.guard.spent_today_wei() == ETH // 4
    await h.guard.sign_transaction(tx(value=ETH // 2, nonce=7, maxFeePerGas=4 * 10**9))
    assert h.guard.spent_today_wei() == ETH // 2
    await h.guard.sign_transaction(tx(value=ETH // 2, nonce=8))
    assert h.guard.spent_today_wei() == ETH


async def test_a_buggy_strategy_cannot_spend_past_the_caps(h: Harness) -> None:
    """A runaway loop firing buys concurrently: at most the daily cap gets signed."""

    async def runaway(i: int) -> int:
        try:
            await h.guard.sign_transaction(tx(value=ETH // 3, nonce=i))
            return ETH // 3
        except SignerRefused:
            return 0

    signed = await asyncio.gather(*(runaway(i) for i in range(50)))
    assert sum(signed) <= 2 * ETH
    assert sum(signed) == 6 * (ETH // 3)
    assert h.guard.spent_today_wei() == sum(signed)


async def test_audit_failure_fails_closed(h: Harness) -> None:
    async def broken(kind: str, details: dict[str, Any]) -> None:
        raise OSError("disk full")

    h.guard._audit = broken
    with pytest.raises(SignerRefused, match="audit"):
        await h.guard.sign_transaction(tx())
    assert h.guard.spent_today_wei() == 0


def test_router_selectors_are_the_known_router02_swaps_only() -> None:
    names = {name for name, _, _ in ROUTER_SELECTORS.values()}
    assert "swapExactETHForTokens" in names
    assert not any("Liquidity" in n for n in names)  # the engine never adds or removes it
    assert ROUTER_SELECTORS[bytes.fromhex("7ff36ab5")][0] == "swapExactETHForTokens"
    assert ROUTER_SELECTORS[bytes.fromhex("18cbafe5")][0] == "swapExactTokensForETH"


async def test_persisted_spend_window_survives_a_restart(tmp_path: Any) -> None:
    from claudedex.wallet.spend_store import JsonSpendStore

    clock = ManualClock(start=1_700_000_000.0)

    def make() -> GuardedSigner:
        return GuardedSigner(
            DevnetSigner(TEST_KEY),
            chain_id=31337,
            per_trade_cap_wei=ETH,
            daily_cap_wei=ETH,
            allowed_targets={ROUTER},
            allowed_approve_tokens=set(),
            is_halted=lambda: False,
            clock=clock,
            spend_store=JsonSpendStore(tmp_path / "spend.json"),
            quote_token=WETH,
        )

    await make().sign_transaction(tx(value=ETH))
    with pytest.raises(SignerRefused, match="daily cap"):
        await make().sign_transaction(tx(value=1))  # a fresh guard reads the same window
