"""MempoolMonitor: pending transactions that threaten tokens we hold (the anti-rug exit).

Why the mempool: a liquidity pull or an owner's setFee/blacklist/pause lands in the next
block; seeing it pending is the only chance to sell first. Pending hashes come from
``eth_subscribe newPendingTransactions`` (websocket) or a pending-transaction filter (HTTP);
each transaction is classified by its target and selector, and warnings are published as
EarlyWarningRaised (never dropped) for the portfolio to act on.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.errors import ChainError, RpcError
from claudedex.events import AlertRaised, EarlyWarningRaised
from claudedex.rpc.reader import ChainReader
from claudedex.safety.signatures import KNOWN, STANDARD, selector

log = structlog.get_logger(__name__)

REMOVE_LIQUIDITY = {selector(s): s for s in (
    "removeLiquidity(address,address,uint256,uint256,uint256,address,uint256)",
    "removeLiquidityETH(address,uint256,uint256,uint256,address,uint256)",
    "removeLiquidityWithPermit(address,address,uint256,uint256,uint256,address,uint256,bool,"
    "uint8,bytes32,bytes32)",
    "removeLiquidityETHWithPermit(address,uint256,uint256,uint256,address,uint256,bool,uint8,"
    "bytes32,bytes32)",
    "removeLiquidityETHSupportingFeeOnTransferTokens(address,uint256,uint256,uint256,address,"
    "uint256)",
    "removeLiquidityETHWithPermitSupportingFeeOnTransferTokens(address,uint256,uint256,uint256,"
    "address,uint256,bool,uint8,bytes32,bytes32)",
)}
ADD_LIQUIDITY = {selector(s): s for s in (
    "addLiquidity(address,address,uint256,uint256,uint256,uint256,address,uint256)",
    "addLiquidityETH(address,uint256,uint256,uint256,address,uint256)",
)}
PAIR_BURN = selector("burn(address)")
_KINDS = (("upgrade", "upgrade"), ("mint", "mint"), ("reward", "mint"), ("fee", "fee_change"),
          ("tax", "fee_change"), ("bot", "blacklist"), ("blacklist", "blacklist"),
          ("trading", "pause"), ("pause", "pause"), ("cooldown", "pause"),
          ("owner", "ownership"))


@dataclass(frozen=True, slots=True)
class Threat:
    token: str
    kind: str
    detail: str
    severe: bool = True  # False: informational (liquidity added)


def _word_address(data: bytes, index: int) -> str:
    start = 4 + 32 * index
    return "0x" + data[start + 12:start + 32].hex()


def owner_call_kind(sel: str) -> str:
    name = KNOWN.get(sel, (sel, []))[0].lower()
    for needle, kind in _KINDS:
        if needle in name:
            return kind
    return "owner_call"


def classify(
    tx: dict[str, Any], watched: set[str], routers: set[str], pairs: dict[str, str],
    controllers: Callable[[str], set[str]] | None = None,
) -> list[Threat]:
    """What a pending transaction means for the watched tokens (lower-case addresses).

    A non-standard call to a held token threatens it only when its sender controls the
    token (``controllers(token)``: owner, creator, privileged addresses safety found); a
    stranger's call is informational. With no controller known the call counts (fail safe).
    Liquidity removals count whoever sends them.
    """
    to = str(tx.get("to") or "").lower()
    raw = str(tx.get("input") or tx.get("data") or "0x")
    data = bytes.fromhex(raw[2:]) if len(raw) >= 10 else b""
    if not to or len(data) < 4:
        return []
    sel = "0x" + data[:4].hex()
    sender = str(tx.get("from", "")).lower()
    if to in watched and sel not in STANDARD:
        kind = owner_call_kind(sel)
        name = KNOWN.get(sel, (sel, []))[0]
        known = {c.lower() for c in controllers(to)} if controllers is not None else set()
        if known and sender not in known:
            return [Threat(to, kind, f"{name} called on the token by {sender}, who does not "
                           "control it", severe=False)]
        return [Threat(to, kind, f"{name} called on the token by {sender}")]
    if to in routers and (sel in REMOVE_LIQUIDITY or sel in ADD_LIQUIDITY):
        removing = sel in REMOVE_LIQUIDITY
        n_tokens = 2 if (REMOVE_LIQUIDITY.get(sel) or ADD_LIQUIDITY[sel]).startswith(
            ("removeLiquidity(", "removeLiquidityWithPermit(", "addLiquidity(")) else 1
        hit = {_word_address(data, i) for i in range(n_tokens) if len(data) >= 4 + 32 * (i + 1)}
        return [Threat(t, "liquidity_removal" if removing else "liquidity_add",
                       f"{'removeLiquidity' if removing else 'addLiquidity'} by {sender}",
                       severe=removing) for t in sorted(hit & watched)]
    if to in pairs and pairs[to] in watched and sel == PAIR_BURN:
        return [Threat(pairs[to], "liquidity_removal", f"pair burn() by {sender}")]
    return []


class MempoolMonitor:
    """Publishes EarlyWarningRaised for pending threats to ``watched_tokens()``."""

    def __init__(
        self,
        bus: EventBus,
        w3: AsyncWeb3[Any],
        watched_tokens: Callable[[], set[str]],
        *,
        routers: Iterable[str] = (),
        pairs: Callable[[], dict[str, str]] | None = None,
        controllers: Callable[[str], set[str]] | None = None,
        ws_url: str = "",
        poll_interval_s: float = 0.2,
    ) -> None:
        self.bus = bus
        self.reader = ChainReader(w3)
        self.watched_tokens = watched_tokens
        self.routers = {r.lower() for r in routers}
        self.pairs = pairs or dict
        self.controllers = controllers
        self.ws_url = ws_url
        self.poll_interval_s = poll_interval_s
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def run(self) -> None:
        if self.ws_url:
            try:
                await self._run_ws()
            except (OSError, ChainError, ConnectionError) as exc:
                log.warning("mempool.ws_failed", error=str(exc), fallback="polling")
        await self._run_polling()

    async def _run_ws(self) -> None:
        from web3 import WebSocketProvider

        async with AsyncWeb3(WebSocketProvider(self.ws_url)) as ws:
            await ws.eth.subscribe("newPendingTransactions")
            async for msg in ws.socket.process_subscriptions():
                result = msg.get("result") if isinstance(msg, dict) else None
                if result is not None:
                    to_hex = getattr(result, "to_0x_hex", None)
                    await self.inspect(str(to_hex() if callable(to_hex) else result))

    async def _run_polling(self) -> None:
        filter_id = await self.reader.request("eth_newPendingTransactionFilter", [])
        while True:
            try:
                hashes = await self.reader.request("eth_getFilterChanges", [filter_id])
            except RpcError:  # filter expired (node restart): make a new one
                filter_id = await self.reader.request("eth_newPendingTransactionFilter", [])
                continue
            for h in hashes or []:
                await self.inspect(str(h))
            await asyncio.sleep(self.poll_interval_s)

    async def inspect(self, tx_hash: str) -> list[Threat]:
        """Fetch one pending transaction, classify it, publish what threatens us."""
        if tx_hash in self._seen:
            return []
        self._seen[tx_hash] = None
        if len(self._seen) > 50_000:
            self._seen.popitem(last=False)
        watched = {t.lower() for t in self.watched_tokens()}
        if not watched:
            return []
        tx = await self.reader.request("eth_getTransactionByHash", [tx_hash])
        if not tx:
            return []
        threats = classify(tx, watched, self.routers, {p.lower(): t.lower()
                                                       for p, t in self.pairs().items()},
                           self.controllers)
        for t in threats:
            if t.severe:
                log.warning("mempool.threat", token=t.token, kind=t.kind, tx=tx_hash)
                await self.bus.publish(EarlyWarningRaised(token=t.token, kind=t.kind,
                                                          detail=t.detail, tx_hash=tx_hash))
            else:
                await self.bus.publish(AlertRaised(level="info", message=f"{t.token}: {t.detail}",
                                                   source="mempool"))
        return threats
