"""One RpcError for every JSON-RPC peer, worded as before for each; the reader's contract:
a revert is data, an error answer is RpcError, an unreachable node is ChainError."""

from __future__ import annotations

from typing import Any

import pytest

from claudedex.errors import ChainError, RpcError
from claudedex.execution.txflow import classify
from claudedex.rpc.reader import ChainReader, request
from claudedex.rpc.words import ZERO_ADDRESS, addr_word, as_address, word

TOKEN = "0x" + "ab" * 20


class FakeProvider:
    def __init__(self, answer: dict[str, Any] | BaseException) -> None:
        self.answer = answer
        self.calls: list[tuple[str, list[Any]]] = []

    async def make_request(self, method: str, params: list[Any]) -> dict[str, Any]:
        self.calls.append((method, params))
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


class FakeW3:
    def __init__(self, answer: dict[str, Any] | BaseException) -> None:
        self.provider = FakeProvider(answer)


def reader(answer: dict[str, Any] | BaseException) -> ChainReader:
    return ChainReader(FakeW3(answer))  # type: ignore[arg-type]


def test_node_errors_keep_their_wording_and_expose_code_and_message() -> None:
    exc = RpcError("eth_getLogs", {"code": -32005, "message": "too many results"})
    assert str(exc) == "eth_getLogs failed: {'code': -32005, 'message': 'too many results'}"
    assert (exc.code, exc.rpc_message, exc.method) == (-32005, "too many results", "eth_getLogs")
    assert isinstance(exc, ChainError)
    odd = RpcError("x", "plain text")
    assert (odd.code, odd.rpc_message) == (-32000, "plain text")


def test_relay_errors_keep_their_wording_so_send_classification_is_unchanged() -> None:
    low = RpcError.answered("eth_sendPrivateTransaction", -32000, "nonce too low")
    assert str(low) == "eth_sendPrivateTransaction: nonce too low (code -32000)"
    assert (low.code, low.rpc_message) == (-32000, "nonce too low")
    assert classify(low) == "nonce_low"
    # no "failed: " in the text: a refused bundle is a rejection, not a transient fault
    assert classify(RpcError.answered("eth_sendBundle", -32602, "bad bundle")) == "rejected"


async def test_a_revert_is_data_an_error_answer_raises() -> None:
    revert = reader({"error": {"code": 3, "message": "execution reverted"}})
    assert await revert.call(TOKEN, b"\x01") is None
    refused = reader({"error": {"code": -32601, "message": "method not found"}})
    with pytest.raises(RpcError) as info:
        await refused.call(TOKEN, b"\x01")
    assert info.value.code == -32601


async def test_an_unreachable_node_is_a_chain_error() -> None:
    with pytest.raises(ChainError, match="node unreachable") as info:
        await reader(ConnectionRefusedError("refused")).block_number()
    assert not isinstance(info.value, RpcError)


async def test_reads_decode_results_and_the_bare_request_checks_errors() -> None:
    ok = reader({"result": "0x" + word(42).hex()})
    assert await ok.call_word(TOKEN, b"\x01", block=7) == 42
    sent = ok.w3.provider.calls[-1]  # type: ignore[attr-defined]
    assert sent == ("eth_call", [{"to": TOKEN, "data": "0x01"}, "0x7"])
    assert await request(FakeW3({"result": "0x10"}), "eth_blockNumber", []) == "0x10"  # type: ignore[arg-type]
    with pytest.raises(RpcError, match="eth_blockNumber failed"):
        await request(FakeW3({"error": {"code": 1, "message": "no"}}), "eth_blockNumber", [])  # type: ignore[arg-type]


def test_words() -> None:
    assert as_address(addr_word(TOKEN)) == TOKEN
    assert as_address(0) == ZERO_ADDRESS
    assert word(1) == bytes(31) + b"\x01"
