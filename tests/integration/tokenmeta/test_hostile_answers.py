"""The token-metadata reader against a real anvil: contracts whose runtime code answers
``decimals()``, ``symbol()``, ``name()`` and ``totalSupply()`` with chosen bytes (or reverts,
returns nothing, loops, asks for gigabytes of memory) give bounded values, never a crash."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import AsyncWeb3, Web3

from claudedex.devnet import hostile
from claudedex.devnet.anvil import AnvilProcess
from claudedex.devnet.testing import connect
from claudedex.errors import ClaudeDexError
from claudedex.rpc.reader import ChainReader
from claudedex.tokenmeta import (
    DECIMALS,
    NAME,
    SYMBOL,
    TEXT_MAX,
    TOTAL_SUPPLY,
    BadDecimals,
    TokenMeta,
    read_token_meta,
    require_decimals,
)

pytestmark = pytest.mark.anvil

U256_MAX = 2**256 - 1
TOKEN = "0x" + "7e" * 20
LOOP = b"\x5b\x60\x00\x56"  # JUMPDEST PUSH1 0 JUMP: burns all the gas it is given
MEMORY_BOMB = b"\x63\xff\xff\xff\xff\x60\x00\xf3"  # RETURN(0, 4 GiB)
DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@dataclass(frozen=True)
class Chain:
    rpc_url: str
    w3: Web3


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    with AnvilProcess() as anvil:
        yield Chain(anvil.rpc_url, connect(anvil.rpc_url))


async def read(chain: Chain, code: bytes, *, address: str = TOKEN) -> TokenMeta:
    hostile.set_code(chain.w3, address, code)
    w3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(chain.rpc_url))
    try:
        return await read_token_meta(ChainReader(w3), address)
    finally:
        await w3.provider.disconnect()


def assert_bounded(meta: TokenMeta) -> None:
    for text in (meta.name, meta.symbol):
        assert len(text) <= TEXT_MAX
        assert not any(unicodedata.category(ch) in DROPPED for ch in text)
    assert meta.decimals.value is None or 0 <= meta.decimals.value <= 36
    assert meta.total_supply is None or 0 <= meta.total_supply <= U256_MAX


ALL = (NAME, SYMBOL, DECIMALS, TOTAL_SUPPLY)
CASES: dict[str, tuple[bytes, dict[str, object]]] = {
    "reverts": (hostile.answer_code({}, default=hostile.REVERTS),
                {"raw": "reverted", "symbol": "", "supply": None}),
    "returns nothing": (hostile.answer_code({}, default=hostile.NOTHING),
                        {"raw": "empty", "symbol": "", "supply": None}),
    "no code at all": (b"", {"raw": "empty", "symbol": "", "supply": None}),
    "decimals 2**256-1": (hostile.answer_code({DECIMALS: hostile.word(U256_MAX)}),
                          {"raw": str(U256_MAX), "decimals": None}),
    "decimals 37": (hostile.answer_code({DECIMALS: hostile.word(37)}),
                    {"raw": "37", "decimals": None}),
    "decimals 255": (hostile.answer_code({DECIMALS: hostile.word(255)}), {"raw": "255"}),
    "decimals one byte": (hostile.answer_code({DECIMALS: hostile.returns(b"\x12")}),
                          {"raw": "0x12"}),
    "decimals 6": (hostile.answer_code({DECIMALS: hostile.word(6)}),
                   {"raw": "6", "decimals": 6}),
    "gas bomb": (LOOP, {"raw": "reverted", "symbol": "", "supply": None}),
    "memory bomb": (MEMORY_BOMB, {"raw": "reverted", "symbol": "", "supply": None}),
    "10 kB symbol of escapes": (
        hostile.answer_code({SYMBOL: hostile.abi_string(b"\x1b[31m\x07" * 1700)}),
        {"symbol": "[31m" * 16, "odd": True}),
    "bytes32 symbol": (hostile.answer_code({SYMBOL: hostile.bytes32(b"MKR")}),
                       {"symbol": "MKR", "odd": False}),
    "lying string length": (
        hostile.answer_code({SYMBOL: hostile.abi_string(b"LIAR", claimed_length=2**200)}),
        {"symbol": "", "odd": True}),
    "invalid UTF-8": (hostile.answer_code({SYMBOL: hostile.abi_string(b"X\xff\xfeY")}),
                      {"symbol": "X\ufffd\ufffdY", "odd": True}),
    "supply 2**256-1": (hostile.answer_code({TOTAL_SUPPLY: hostile.word(U256_MAX)}),
                        {"supply": U256_MAX}),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_hostile_answers_are_bounded(chain: Chain, case: str) -> None:
    code, expect = CASES[case]
    meta = await read(chain, code)
    assert_bounded(meta)
    got = {"raw": meta.decimals.raw, "decimals": meta.decimals.value, "symbol": meta.symbol,
           "supply": meta.total_supply, "odd": meta.odd_text}
    assert {k: got[k] for k in expect} == expect


@pytest.mark.parametrize("case", ["reverts", "decimals 2**256-1", "gas bomb", "no code at all"])
async def test_a_number_is_refused_where_one_is_needed(chain: Chain, case: str) -> None:
    hostile.set_code(chain.w3, TOKEN, CASES[case][0])
    w3 = AsyncWeb3(AsyncWeb3.AsyncHTTPProvider(chain.rpc_url))
    try:
        with pytest.raises(BadDecimals, match="0-36 accepted"):
            await require_decimals(ChainReader(w3), TOKEN)
    finally:
        await w3.provider.disconnect()


ANSWERS = st.one_of(st.binary(min_size=32, max_size=32), st.binary(max_size=2_048),
                    st.builds(lambda b, n: hostile.abi_string(b, claimed_length=n).data,
                              st.binary(max_size=512),
                              st.one_of(st.none(), st.integers(0, U256_MAX))))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=ANSWERS, kind=st.sampled_from(["return", "revert"]))
def test_any_answer_from_a_real_node_is_bounded(chain: Chain, answer: bytes, kind: str) -> None:
    reply = hostile.returns(answer) if kind == "return" else hostile.Reply("revert")
    try:
        meta = asyncio.run(read(chain, hostile.answer_code({}, default=reply)))
    except ClaudeDexError:  # a node error is a ClaudeDex error; anything else fails the test
        return
    assert_bounded(meta)
    if kind == "return" and len(answer) >= 32:
        assert meta.total_supply == int.from_bytes(answer[:32], "big")
