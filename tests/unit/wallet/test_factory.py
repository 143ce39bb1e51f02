"""build_signer and guard(): the profile decides the signer and its limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from claudedex.config import load_profile
from claudedex.errors import ConfigError, EngineHalted, SignerRefused
from claudedex.wallet import keystore as ks
from claudedex.wallet.factory import build_signer, guard
from claudedex.wallet.guard import GuardedSigner
from claudedex.wallet.sim.samples import ROUTER, TEST_ADDRESS, TEST_KEY, eip1559, reference


def profile(**signer: Any) -> Any:
    base = load_profile("devnet")
    return base.model_copy(update={"signer": base.signer.model_copy(update=signer)})


async def test_devnet_signer(tmp_path: Path) -> None:
    signer = build_signer(
        profile(kind="devnet"), tmp_path, devnet_private_key="0x" + TEST_KEY.hex()
    )
    assert signer.kind == "devnet" and signer.address == TEST_ADDRESS
    assert await signer.sign_transaction(eip1559()) == reference(eip1559())
    with pytest.raises(ConfigError):
        build_signer(profile(kind="devnet"), tmp_path)


def test_keystore_signer_password_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ks.write_keystore(ks.keystore_dir(tmp_path), TEST_KEY, "password123", scrypt_n=2**4)
    monkeypatch.setenv("KS_PW", "password123")
    signer = build_signer(profile(kind="keystore", password_env="KS_PW"), tmp_path)
    assert signer.kind == "keystore" and signer.address == TEST_ADDRESS


@pytest.mark.parametrize("kind", ["ledger", "trezor"])
async def test_hardware_sim_devices(tmp_path: Path, kind: str) -> None:
    signer = build_signer(profile(kind=kind, device="sim"), tmp_path, devnet_private_key=TEST_KEY)
    assert signer.kind == kind and signer.address == TEST_ADDRESS
    raw = await signer.sign_transaction(eip1559(chain_id=31337))
    assert raw == reference(eip1559(chain_id=31337))


def test_none_and_bad_device(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        build_signer(profile(kind="none"), tmp_path)
    with pytest.raises(ConfigError):
        build_signer(profile(kind="ledger", device="http://x"), tmp_path)
    with pytest.raises(SignerRefused):  # nothing listens there
        build_signer(profile(kind="ledger", device="tcp://127.0.0.1:1"), tmp_path)


async def test_guard_uses_profile_limits(tmp_path: Path) -> None:
    p = profile(kind="devnet")
    halted = {"on": False}
    signer = build_signer(p, tmp_path, devnet_private_key=TEST_KEY)
    guarded = guard(signer, p, lambda: halted["on"], None, extra_targets={ROUTER})
    assert isinstance(guarded, GuardedSigner) and guarded.address == TEST_ADDRESS
    from eth_abi.abi import encode
    from eth_utils.crypto import keccak

    data = keccak(text="swapExactETHForTokens(uint256,address[],address,uint256)")[:4] + encode(
        ["uint256", "address[]", "address", "uint256"], [0, [ROUTER, ROUTER], TEST_ADDRESS, 1]
    )
    cid = p.chain.chain_id
    tx = eip1559(chain_id=cid, data=data, value=10**16, maxFeePerGas=10**9)
    assert Account.recover_transaction(await guarded.sign_transaction(tx)) == TEST_ADDRESS
    cap = int(p.limits.max_trade_quote * 10**18)
    with pytest.raises(SignerRefused, match="per-trade"):
        await guarded.sign_transaction({**tx, "value": cap + 1})
    halted["on"] = True
    with pytest.raises(EngineHalted):
        await guarded.sign_transaction(tx)
    with pytest.raises(ConfigError):
        guard(signer, p.model_copy(update={"venues": ()}), lambda: False, None)


async def test_guard_takes_the_profiles_route_via_as_exit_hops(tmp_path: Path) -> None:
    """chain.route_via reaches the guard: a sell TOKEN -> USDC -> WETH is an uncapped exit,
    the same path through a token the profile does not name is valued and capped."""
    from eth_abi.abi import encode
    from eth_utils.crypto import keccak

    weth, usdc, token, other = ("0x" + c * 40 for c in "8543")
    base = profile(kind="devnet")
    p = base.model_copy(update={"chain": base.chain.model_copy(
        update={"quote_token": weth, "route_via": (usdc,)})})

    async def valuer(_token: str, amount: int) -> int:
        return amount  # 1:1 with WETH: every sell here is far over the per-trade cap

    guarded = guard(build_signer(p, tmp_path, devnet_private_key=TEST_KEY), p, lambda: False,
                    None, extra_targets={ROUTER}, valuer=valuer)
    sel = keccak(text="swapExactTokensForETH(uint256,uint256,address[],address,uint256)")[:4]

    def sell(path: list[str]) -> dict[str, Any]:
        data = sel + encode(["uint256", "uint256", "address[]", "address", "uint256"],
                            [10**24, 1, path, TEST_ADDRESS, 2**40])
        return eip1559(chain_id=p.chain.chain_id, data=data, value=0, maxFeePerGas=10**9)

    await guarded.sign_transaction(sell([token, usdc, weth]))
    with pytest.raises(SignerRefused, match="per-trade"):
        await guarded.sign_transaction(sell([token, other, weth]))
