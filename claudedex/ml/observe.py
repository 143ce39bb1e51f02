"""Read one token's pool, supply and early flow from the chain AS OF a cut-off block.

Why every read names the block: state calls use ``block_identifier=cutoff`` and logs use
``toBlock=cutoff``, so an observation taken long after the cut-off (training on a finished
devnet run, a backtest) equals the one the live scorer took at the cut-off itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from eth_utils.crypto import keccak
from web3 import AsyncWeb3

from claudedex.domain import RiskReport
from claudedex.errors import ChainError
from claudedex.ml.features import Observation, Swap
from claudedex.rpc.reader import ChainReader, request
from claudedex.tokenmeta import read_total_supply

SWAP_TOPIC = "0x" + keccak(text="Swap(address,uint256,uint256,uint256,uint256,address)").hex()
SYNC_TOPIC = "0x" + keccak(text="Sync(uint112,uint112)").hex()
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
GET_RESERVES = "0x0902f1ac"
TOTAL_SUPPLY = "0x18160ddd"
BALANCE_OF = "0x70a08231"
BURN_ADDRESSES = ("0x0000000000000000000000000000000000000000",
                  "0x000000000000000000000000000000000000dead")  # fmt: skip
WARN_WORDS = ("can't sell", "cannot sell", "pulled", "rug", "careful", "watch out", "scam")


async def _call(w3: AsyncWeb3[Any], to: str, data: str, block: int) -> bytes:
    out = await request(w3, "eth_call", [{"to": to, "data": data}, hex(block)])
    return bytes.fromhex(str(out)[2:]) if out else b""


def _word(raw: bytes, i: int) -> int:
    return int.from_bytes(raw[32 * i : 32 * (i + 1)], "big") if len(raw) >= 32 * (i + 1) else 0


async def _balance(w3: AsyncWeb3[Any], token: str, holder: str, block: int) -> int:
    data = BALANCE_OF + holder.lower().removeprefix("0x").rjust(64, "0")
    return _word(await _call(w3, token, data, block), 0)


async def _logs(w3: AsyncWeb3[Any], address: str, topics: list[Any], lo: int, hi: int) -> Any:
    return await request(w3, "eth_getLogs", [{"address": address, "fromBlock": hex(lo),
                                           "toBlock": hex(hi), "topics": topics}])


def _data_words(entry: dict[str, Any]) -> list[int]:
    raw = bytes.fromhex(str(entry["data"])[2:])
    return [_word(raw, i) for i in range(len(raw) // 32)]


def _topic_addr(topic: str) -> str:
    return "0x" + str(topic)[-40:]


async def observe(
    w3: AsyncWeb3[Any],
    *,
    token: str,
    pair: str,
    quote: str,
    created_block: int,
    cutoff: int,
    report: RiskReport | None,
    creator: str | None = None,
    social: Sequence[dict[str, Any]] = (),
) -> Observation:
    """An Observation of ``token`` on ``pair`` at ``cutoff`` (state and logs up to it only).

    ``social``: posts (dicts with ts, text, likes); only those at/before the cut-off block's
    timestamp count. ``creator`` defaults to the deployer named in the report.
    """
    if cutoff < created_block:
        raise ValueError(f"cut-off {cutoff} is before the pair's creation block {created_block}")
    head = int(await request(w3, "eth_blockNumber", []), 16)
    if head < cutoff:
        raise ChainError(f"the chain is at block {head}, before the cut-off {cutoff}")
    token_is_0 = int(token, 16) < int(quote, 16)
    creator = creator or _creator(report)
    pool_logs, token_logs, block = await asyncio.gather(
        _logs(w3, pair, [[SWAP_TOPIC, SYNC_TOPIC]], created_block, cutoff),
        _logs(w3, token, [TRANSFER_TOPIC], created_block, cutoff),
        request(w3, "eth_getBlockByNumber", [hex(cutoff), False]),
    )
    reader = ChainReader(w3)  # the token's own answers go through the bounded reader
    reserves, lp_total, supply_cut, supply_created = await asyncio.gather(
        _call(w3, pair, GET_RESERVES, cutoff), _call(w3, pair, TOTAL_SUPPLY, cutoff),
        read_total_supply(reader, token, block=cutoff),
        read_total_supply(reader, token, block=created_block))
    lp_creator, *burned = await asyncio.gather(
        _balance(w3, pair, creator, cutoff) if creator else _zero(),
        *(_balance(w3, pair, a, cutoff) for a in BURN_ADDRESSES))
    swaps: list[Swap] = []
    syncs: list[tuple[int, int, int]] = []
    for entry in pool_logs:
        blk = int(entry["blockNumber"], 16)
        words = _data_words(entry)
        if entry["topics"][0] == SYNC_TOPIC and len(words) >= 2:
            r_tok, r_q = (words[0], words[1]) if token_is_0 else (words[1], words[0])
            syncs.append((blk, r_tok, r_q))
        elif entry["topics"][0] == SWAP_TOPIC and len(words) >= 4:
            a0_in, a1_in, a0_out, a1_out = words[:4]
            q_in, q_out = (a1_in, a1_out) if token_is_0 else (a0_in, a0_out)
            to = _topic_addr(entry["topics"][2])
            swaps.append(Swap(blk, q_in > 0, q_in if q_in > 0 else q_out, to))
    first_tok, first_q = (syncs[0][1], syncs[0][2]) if syncs else (0, 0)
    r0, r1 = _word(reserves, 0), _word(reserves, 1)
    res_tok, res_q = (r0, r1) if token_is_0 else (r1, r0)
    cutoff_ts = int(block["timestamp"], 16)
    posts = [p for p in social if float(p.get("ts", 0)) <= cutoff_ts]
    receivers = {_topic_addr(e["topics"][2]) for e in token_logs if len(e["topics"]) > 2}
    return Observation(
        token=token, pair=pair, created_block=created_block, cutoff=cutoff, report=report,
        liq_created=first_q, token_res_created=first_tok, liq_cutoff=res_q,
        token_res_cutoff=res_tok, lp_total=_word(lp_total, 0), lp_creator=lp_creator,
        lp_burned=sum(burned), supply_created=supply_created or 0,
        supply_cutoff=supply_cut or 0, swaps=tuple(swaps), syncs=tuple(syncs[1:]),
        n_transfers=len(token_logs), n_receivers=len(receivers),
        social_posts=len(posts),
        social_warn_posts=sum(1 for p in posts if _is_warning(str(p.get("text", "")))),
        social_likes=sum(int(p.get("likes", 0)) for p in posts),
    )  # fmt: skip


async def _zero() -> int:
    return 0


def _is_warning(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in WARN_WORDS)


def _creator(report: RiskReport | None) -> str | None:
    if report is None:
        return None
    for f in report.findings:
        if "creator" in f.evidence and f.code.startswith("DEPLOYER"):
            return f.evidence["creator"]
    return None


async def future_max_ratio(
    w3: AsyncWeb3[Any], *, token: str, pair: str, quote: str, cutoff: int, horizon: int,
    price_at_cutoff: float,
) -> float:
    """LABEL ONLY (never a feature): highest price in (cutoff, cutoff+horizon] / cut-off price."""
    logs = await _logs(w3, pair, [SYNC_TOPIC], cutoff + 1, cutoff + horizon)
    token_is_0 = int(token, 16) < int(quote, 16)
    best = price_at_cutoff
    for entry in logs:
        words = _data_words(entry)
        r_tok, r_q = (words[0], words[1]) if token_is_0 else (words[1], words[0])
        if r_tok > 0:
            best = max(best, r_q / r_tok)
    return best / price_at_cutoff if price_at_cutoff > 0 else 0.0
