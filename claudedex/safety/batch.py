"""Many reads or simulations in one HTTP round trip (a JSON-RPC batch).

Why: finding which functions a controller may call and a stranger may not takes a few
hundred eth_calls (every non-standard selector, several argument shapes, each controller),
and measuring each call's effects one simulation per call. Sent one by one they queue behind
the reader's concurrency gate and dominate the report's latency; in one batch the node
answers them in about one round trip. A provider or node that refuses batches (no
``make_batch_request``, or an error object instead of a list) gets the same requests one by
one: same answers, slower.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from claudedex.errors import ChainError, RpcError
from claudedex.rpc.lazy_errors import client_error
from claudedex.rpc.reader import ChainReader, _is_revert

if TYPE_CHECKING:
    from web3.types import RPCEndpoint

CHUNK = 200  # requests per batch


async def _batch(reader: ChainReader, method: str, params: list[list[Any]]
                 ) -> list[dict[str, Any]] | None:
    """The answers in request order, or None when batches are not available."""
    batch = getattr(reader.w3.provider, "make_batch_request", None)
    if batch is None:
        return None
    answers: list[dict[str, Any]] = []
    for start in range(0, len(params), CHUNK):
        chunk = params[start:start + CHUNK]
        try:  # web3 sorts the answers by request id, i.e. in request order
            got = await batch([(cast("RPCEndpoint", method), p) for p in chunk])
        except (OSError, TimeoutError, client_error()) as exc:
            raise ChainError(f"{method} batch: node unreachable: {exc}") from exc
        if not isinstance(got, list) or len(got) != len(chunk):
            return None
        answers += [dict(a) for a in got]
    return answers


async def call_many(
    reader: ChainReader,
    calls: list[tuple[str, bytes, str]],
    *,
    overrides: dict[str, Any] | None = None,
    gas: int = 5_000_000,
) -> list[bytes | None]:
    """eth_call each (to, data, sender) at latest; None where it reverts, in order.

    Raises RpcError for an answer that is an error other than a revert (as reader.call).
    """
    params: list[list[Any]] = []
    for to, data, sender in calls:
        tx = {"to": to, "data": "0x" + data.hex(), "from": sender, "gas": hex(gas)}
        params.append([tx, "latest"] + ([overrides] if overrides else []))
    answers = await _batch(reader, "eth_call", params) if calls else []
    if answers is None:
        return list(await asyncio.gather(*(
            reader.call(to, data, sender=sender, overrides=overrides, gas=gas)
            for to, data, sender in calls)))
    out: list[bytes | None] = []
    for answer in answers:
        if "error" in answer:
            if not _is_revert(answer["error"]):
                raise RpcError("eth_call", answer["error"])
            out.append(None)
        else:
            out.append(bytes.fromhex(str(answer.get("result", "0x"))[2:]))
    return out


async def storage_many(reader: ChainReader, address: str, slots: list[int]) -> list[int]:
    """eth_getStorageAt for each slot at latest, in order."""
    answers = await _batch(reader, "eth_getStorageAt",
                           [[address, hex(s), "latest"] for s in slots]) if slots else []
    if answers is None:
        return list(await asyncio.gather(*(reader.storage(address, s) for s in slots)))
    for answer in answers:
        if "error" in answer:
            raise RpcError("eth_getStorageAt", answer["error"])
    return [int(str(a.get("result", "0x0")), 16) for a in answers]


async def simulate_many(reader: ChainReader, specs: list[list[dict[str, Any]]]
                        ) -> list[list[Any]]:
    """Independent eth_simulateV1 runs (each a ``blockStateCalls`` list, validation off, on
    latest); each run's simulated blocks, in order. Raises RpcError when one fails (as
    reader.simulate does)."""
    params = [[{"blockStateCalls": spec, "validation": False}, "latest"] for spec in specs]
    answers = await _batch(reader, "eth_simulateV1", params) if specs else []
    if answers is None:
        return list(await asyncio.gather(*(reader.simulate(spec) for spec in specs)))
    out: list[list[Any]] = []
    for answer in answers:
        if "error" in answer:
            raise RpcError("eth_simulateV1", answer["error"])
        out.append(list(answer.get("result") or []))
    return out
