"""JSON-RPC batches on a real anvil: same answers as one request at a time, reverts as None,
and a provider without batches falls back to single requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import AsyncWeb3
from web3.providers.rpc import AsyncHTTPProvider

from claudedex.devnet.testing import start_devnet_chain
from claudedex.rpc.reader import ChainReader
from claudedex.rpc.words import addr_word, word
from claudedex.safety.batch import call_many, simulate_many, storage_many
from claudedex.safety.simkit import balance_call, block_spec

pytestmark = pytest.mark.anvil

BALANCE_OF = bytes.fromhex("70a08231")
TRANSFER = bytes.fromhex("a9059cbb")
STRANGER = "0x" + "ab" * 20


class NoBatchProvider(AsyncHTTPProvider):
    """An HTTP provider that cannot send batches (as some hosted RPC clients)."""

    make_batch_request = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[str, Any]]:
    anvil, _, dep = start_devnet_chain()
    try:
        yield anvil.rpc_url, dep
    finally:
        anvil.stop()


async def _answers(provider: AsyncHTTPProvider, dep: Any) -> tuple[Any, ...]:
    reader = ChainReader(AsyncWeb3(provider))
    try:
        weth = dep.weth.lower()
        calls = [(weth, BALANCE_OF + addr_word(STRANGER), STRANGER),
                 (weth, TRANSFER + addr_word(STRANGER) + word(1), STRANGER)]  # no WETH: reverts
        got = await call_many(reader, calls)
        slots = await storage_many(reader, weth, [0, 1, 2])
        head = await reader.block("latest")
        spec = block_spec(head, [[balance_call(weth, STRANGER)]])
        sims = await simulate_many(reader, [spec, spec])
        single = await reader.simulate(spec)
        one_by_one = [await reader.storage(weth, s) for s in (0, 1, 2)]
        return got, slots, one_by_one, sims, single
    finally:
        await reader.w3.provider.disconnect()


@pytest.mark.parametrize("batches", [True, False])
async def test_batch_answers_match_single_requests(chain: tuple[str, Any],
                                                   batches: bool) -> None:
    url, dep = chain
    provider = AsyncHTTPProvider(url) if batches else NoBatchProvider(url)
    got, slots, single_slots, sims, single = await _answers(provider, dep)
    assert got[0] == bytes(32)  # a zero balance, read fine
    assert got[1] is None  # the transfer reverts: None, not an error
    assert slots == single_slots
    assert [b["calls"][0]["returnData"] for b in sims[0]] == \
        [b["calls"][0]["returnData"] for b in single]
    assert len(sims) == 2
