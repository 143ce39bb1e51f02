"""MarketActivity: Swap events of known pairs -> whale alerts and volume statistics.

Why one component for both: whales and wash trading are two readings of the same Swap logs.
On each new block it pulls the Swap logs of the pairs discovery knows, attributes each swap
to the transaction's sender (the router is only the middleman), feeds the VolumeAnalyzer and
raises an alert for swaps by tracked wallets or above the whale size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import structlog
from web3 import AsyncWeb3

from claudedex.bus import EventBus
from claudedex.discovery.volume import Swap, VolumeAnalyzer
from claudedex.domain import Finding, Side
from claudedex.errors import ChainError
from claudedex.events import AlertRaised
from claudedex.rpc.reader import ChainReader

log = structlog.get_logger(__name__)

SWAP = "0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822"


def parse_swap(log_entry: dict[str, Any], quote_is_token0: bool, wallet: str) -> Swap:
    """A V2 Swap log as a buy or sell of the non-quote token."""
    data = bytes.fromhex(log_entry["data"][2:])
    a0in, a1in, a0out, a1out = (int.from_bytes(data[i * 32:(i + 1) * 32], "big")
                                for i in range(4))
    q_in, q_out = (a0in, a0out) if quote_is_token0 else (a1in, a1out)
    t_in, t_out = (a1in, a1out) if quote_is_token0 else (a0in, a0out)
    side = Side.BUY if q_in > 0 else Side.SELL
    return Swap(pair=log_entry["address"].lower(), wallet=wallet.lower(), side=side,
                quote_amount=q_in if side is Side.BUY else q_out,
                token_amount=t_out if side is Side.BUY else t_in,
                block=int(log_entry["blockNumber"], 16),
                tx_hash=str(log_entry.get("transactionHash", "")))


class MarketActivity:
    """Polls Swap logs of ``pairs()`` (pair -> (token, quote_is_token0)) block by block."""

    def __init__(
        self,
        bus: EventBus,
        w3: AsyncWeb3[Any],
        pairs: Callable[[], dict[str, tuple[str, bool]]],
        *,
        tracked_wallets: Iterable[str] = (),
        whale_quote: int = 5 * 10**18,
        volume: VolumeAnalyzer | None = None,
        poll_interval_s: float = 1.0,
    ) -> None:
        self.bus = bus
        self.reader = ChainReader(w3)
        self.pairs = pairs
        self.tracked = {w.lower() for w in tracked_wallets}
        self.whale_quote = whale_quote
        self.volume = volume or VolumeAnalyzer()
        self.poll_interval_s = poll_interval_s
        self._next_block: int | None = None

    def findings(self, pair: str) -> tuple[Finding, ...]:
        """Volume findings for a pair (the SafetyAnalyzer folds these into its report)."""
        return self.volume.findings(pair)

    async def run(self) -> None:
        while True:
            try:
                await self.step()
            except ChainError as exc:
                log.warning("activity.poll_failed", error=str(exc))
            await asyncio.sleep(self.poll_interval_s)

    async def step(self) -> list[Swap]:
        head = await self.reader.block_number()
        start = head if self._next_block is None else self._next_block
        known = self.pairs()
        if start > head or not known:
            self._next_block = head + 1
            return []
        logs = await self.reader.logs({"fromBlock": hex(start), "toBlock": hex(head),
                                       "address": list(known), "topics": [SWAP]})
        self._next_block = head + 1
        hashes = sorted({lg["transactionHash"] for lg in logs})
        txs = await asyncio.gather(*(self.reader.request("eth_getTransactionByHash", [h])
                                     for h in hashes))
        sender = {h: str((tx or {}).get("from", "")) for h, tx in zip(hashes, txs, strict=True)}
        swaps = []
        for lg in logs:
            pair = lg["address"].lower()
            _, quote_is_token0 = known.get(pair, ("", True))
            swap = parse_swap(lg, quote_is_token0, sender.get(lg["transactionHash"], ""))
            swaps.append(swap)
            self.volume.add(swap)
            tracked = swap.wallet in self.tracked
            if tracked or swap.quote_amount >= self.whale_quote:
                who = "tracked wallet" if tracked else "whale"
                await self.bus.publish(AlertRaised(
                    level="info", source="whale",
                    message=f"{who} {swap.wallet} {swap.side.value}s "
                            f"{Decimal(swap.quote_amount) / 10**18:.4f} ETH of token "
                            f"{known[pair][0]} (pair {pair})"))
        return swaps
