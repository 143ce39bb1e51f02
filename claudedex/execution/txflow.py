"""One order's transaction, from nonce to receipt: sign, journal, send, watch, bump.

Why one loop for live sends and crash recovery: after a restart an order in ``signed`` or
``broadcast`` is in exactly the situation of a send whose answer was lost to a network
error — the transaction may or may not be on chain. The same :meth:`TxFlow.watch` looks it
up by hash, rebroadcasts the journaled raw bytes while its nonce is still free, follows a
bump, notices a reorg, and gives up only when the nonce went to another transaction.
Nothing is ever signed twice for the same purpose with two different nonces.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from eth_utils.crypto import keccak

from claudedex.errors import ChainError, SignerRefused
from claudedex.execution.fees import FeeCapExceeded, FeeCaps, Fees, bump, estimate_fees
from claudedex.execution.nonces import NonceManager
from claudedex.execution.order import Order, TxAttempt
from claudedex.execution.relay import Broadcaster
from claudedex.execution.states import OrderState as S
from claudedex.rpc.lazy_errors import client_error, transaction_not_found, web3_exception

log = structlog.get_logger(__name__)

Recorder = Callable[[Order, S, str], Awaitable[None]]
# Errors that mean "the node did not answer (in time)": the send may or may not have landed;
# with aiohttp.ClientError, added where caught (claudedex.rpc.lazy_errors: a lazy import)
TRANSIENT: tuple[type[BaseException], ...] = (TimeoutError, ConnectionError, OSError)
# with web3's own base class, added where caught (claudedex.rpc.lazy_errors: a lazy import)
SEND_ERRORS: tuple[type[BaseException], ...] = (ChainError, ValueError) + TRANSIENT


SENDERS_KEPT = 4096  # broadcasts remembered by hash (a watched order's deadline: minutes)


def hex_hash(value: Any) -> str:
    """A block or transaction hash (bytes, HexBytes or hex text) as lowercase 0x-hex."""
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


class SendRejected(ChainError):
    """The node refused the transaction outright (funds, gas, malformed): it is not pooled."""


@dataclass(frozen=True, slots=True)
class FlowPolicy:
    poll_s: float = 0.05
    stuck_after_s: float = 30.0  # no receipt this long: bump fees and replace
    # vanished from the pool this many times: no more rebroadcasts; its nonce is given back,
    # a swap is watched until its deadline (its bytes may still land), anything else dropped
    max_rebroadcasts: int = 3
    confirmations: int = 0  # blocks on top before a receipt counts (reorg safety)
    bump_bps: int = 1_250


@dataclass(frozen=True, slots=True)
class Outcome:
    receipt: Any | None  # None: the order failed (dropped, nonce taken, rejected)
    reason: str = ""


def classify(exc: BaseException) -> str:
    """known | nonce_low | underpriced | transient | rejected."""
    if isinstance(exc, (*TRANSIENT, client_error())):
        return "transient"
    text = str(exc).lower()
    if "already known" in text or "already imported" in text or "known transaction" in text:
        return "known"
    if "nonce too low" in text or "nonce has already been used" in text:
        return "nonce_low"
    if "underpriced" in text:
        return "underpriced"
    if "timed out" in text or "timeout" in text or "failed: " in text:
        return "transient"  # ChainError wrapping a client error (relay client)
    return "rejected"


def raw_hash(raw: bytes) -> str:
    return "0x" + keccak(raw).hex()


class TxFlow:
    def __init__(self, w3: Any, signer: Any, nonces: NonceManager, broadcaster: Broadcaster,
                 caps: FeeCaps, record: Recorder, chain_id: int,
                 policy: FlowPolicy | None = None, *,
                 is_halted: Callable[[], bool] = lambda: False) -> None:
        self.w3 = w3
        self.signer = signer
        self.nonces = nonces
        self.broadcaster = broadcaster
        self.caps = caps
        self.record = record
        self.chain_id = chain_id
        self.policy = policy or FlowPolicy()
        self.is_halted = is_halted
        self._last_send: dict[str, float] = {}
        self._holding: set[str] = set()  # gone from our pool, nonce given back, watched on
        self._sender: dict[str, str] = {}  # tx hash (hex_hash) -> the order that last sent it

    # -- signing --------------------------------------------------------------------------

    def base_tx(self, order: Order, gas: int) -> dict[str, Any]:
        return {"chainId": self.chain_id, "to": order.to, "data": order.data,
                "value": order.value, "gas": gas}

    async def _sign(self, order: Order, gas: int, nonce: int, fees: Fees) -> TxAttempt:
        tx = dict(self.base_tx(order, gas), nonce=nonce, **fees.tx_fields())
        raw = await self.signer.sign_transaction(tx)
        return TxAttempt(raw_hash(raw), "0x" + raw.hex(), nonce, fees.max_fee_per_gas,
                         fees.max_priority_fee_per_gas, gas)

    async def submit(self, order: Order, gas: int) -> Outcome:
        """Reserve a nonce, sign, journal ``signed`` (raw kept), broadcast, watch."""
        fees_task = asyncio.ensure_future(estimate_fees(self.w3, self.caps))  # meanwhile
        try:
            nonce = await self.nonces.reserve()
        except BaseException:
            fees_task.cancel()
            raise
        attempt: TxAttempt | None = None
        try:
            fees = await fees_task
            attempt = await self._sign(order, gas, nonce, fees)
            order.attempts.append(attempt)
            await self.record(order, S.SIGNED, f"nonce {nonce}, {attempt.tx_hash}")
        except BaseException:
            if attempt is not None and order.attempts and order.attempts[-1] is attempt:
                order.attempts.pop()  # the signature never reached the journal: discard it
            self.nonces.release(nonce)  # nothing with this nonce left the process
            raise
        if self._withheld(order):
            return await self._discard(order, nonce)
        try:
            await self._send(order, attempt, "broadcast via " + self.broadcaster.name)
        except SendRejected as exc:
            self.nonces.release(nonce)
            await self.record(order, S.FAILED, f"node rejected the transaction: {exc}")
            return Outcome(None, str(exc))
        return await self.watch(order)

    def _withheld(self, order: Order) -> bool:
        """Halted, and no transaction of this order ever left the process (``broadcast`` is
        journaled before each send): its bytes exist only in our journal, so keep them there."""
        return self.is_halted() and all(a.broadcasts == 0 for a in order.attempts)

    async def _discard(self, order: Order, nonce: int) -> Outcome:
        self.nonces.release(nonce)
        await self.record(order, S.FAILED, "engine halted before broadcast: signature discarded")
        return Outcome(None, "halted")

    # -- sending --------------------------------------------------------------------------

    async def _send(self, order: Order, attempt: TxAttempt, detail: str) -> None:
        """Journal ``broadcast`` first, then send; a lost answer is settled by watch()."""
        attempt.broadcasts += 1
        await self.record(order, S.BROADCAST, detail)
        self.nonces.mark_sent(attempt.nonce)
        self._sender[hex_hash(attempt.tx_hash)] = order.id  # the latest order to send these bytes
        if len(self._sender) > SENDERS_KEPT:  # oldest first: far older than any deadline
            del self._sender[next(iter(self._sender))]
        self._last_send[order.id] = time.monotonic()
        try:
            await self.broadcaster.send(bytes.fromhex(attempt.raw[2:]))
        except (*SEND_ERRORS, client_error(), web3_exception()) as exc:
            kind = classify(exc)
            log.warning("execution.send_error", order=order.id, tx=attempt.tx_hash, kind=kind,
                        error=str(exc)[:200])
            if kind == "rejected" and len(order.attempts) == 1 and attempt.broadcasts == 1:
                raise SendRejected(str(exc)[:300]) from exc
            # known / nonce_low / underpriced / transient: the chain tells the truth in watch()

    # -- watching -------------------------------------------------------------------------

    async def _receipt(self, order: Order) -> Any | None:
        for tx_hash in reversed(order.hashes):
            try:
                return await self.w3.eth.get_transaction_receipt(tx_hash)
            except transaction_not_found():
                continue
        return None

    async def _known(self, order: Order) -> bool:
        for tx_hash in order.hashes:
            try:
                await self.w3.eth.get_transaction(tx_hash)
                return True
            except transaction_not_found():
                continue
        return False

    async def watch(self, order: Order) -> Outcome:
        """Poll until the order's transaction is final; survives RPC timeouts."""
        self._last_send.setdefault(order.id, time.monotonic())
        try:
            while True:
                try:
                    outcome = await self._poll(order)
                except (*TRANSIENT, client_error()) as exc:
                    log.warning("execution.poll_error", order=order.id, error=repr(exc)[:200])
                    outcome = None
                if outcome is not None:
                    return outcome
                await asyncio.sleep(self.policy.poll_s)
        finally:
            self._last_send.pop(order.id, None)
            self._holding.discard(order.id)

    async def _poll(self, order: Order) -> Outcome | None:
        nonce = order.nonce
        assert nonce is not None  # watch() is only called once something was signed
        receipt = await self._receipt(order)
        if receipt is not None:
            owner = self._sender.get(hex_hash(receipt["transactionHash"]), order.id)
            if order.id in self._holding and owner != order.id:
                # its nonce was given back and the next order signed the very same bytes
                # (same trade, same block): one transaction landed, booked once, there
                self.nonces.mark_done(nonce)
                await self.record(order, S.REPLACED, f"nonce {nonce} went to order {owner}, "
                                  "whose identical transaction landed (booked there)")
                await self.record(order, S.FAILED, f"replaced by our order {owner}")
                return Outcome(None, "nonce taken")
            return await self._on_receipt(order, receipt)
        if order.state in (S.MINED, S.REVERTED):  # its block was reorged away
            attempt = self._attempt(order, order.mined_hash)
            order.mined_hash, order.block_number = "", 0
            await self._send(order, attempt, "reorged out of the chain: rebroadcast")
            return None
        latest = int(await self.w3.eth.get_transaction_count(self.nonces.address, "latest"))
        if latest > nonce:
            if await self._receipt(order) is not None:
                return None  # mined between the two reads: the next poll records it
            self.nonces.mark_done(nonce)
            if order.state != S.REPLACED:
                await self.record(order, S.REPLACED, f"nonce {nonce} used by another transaction")
            await self.record(order, S.FAILED, "replaced by a transaction we did not send")
            return Outcome(None, "nonce taken")
        if not await self._known(order):
            if self._withheld(order):  # a restart while halted, the signature never sent
                return await self._discard(order, nonce)
            if await self._expired(order):  # re-sent now it could only revert EXPIRED
                await self.record(order, S.DROPPED, f"not in the pool and past its deadline "
                                  f"{order.deadline}: not sent again")
                await self.record(order, S.FAILED, "expired: the deadline passed unsent")
                if order.id not in self._holding:  # else given back already: maybe reused
                    self.nonces.release(nonce)
                return Outcome(None, "expired")
            last = order.attempts[-1]
            if last.broadcasts <= self.policy.max_rebroadcasts:
                await self._send(order, last, "not in the pool: rebroadcast")
                return None
            if order.deadline:
                # Gone from our node's pool is not gone: another node may still hold the
                # signed bytes and mine them until the deadline. The nonce is given back
                # (the next order takes it: no gap holds later orders up), and the order
                # stays watched until its deadline: if its own bytes land first they are
                # its fill (and the next order's copy of the nonce fails, replaced); if the
                # next order's land first, this one is replaced (above), never unbooked.
                if order.id not in self._holding:
                    self._holding.add(order.id)
                    self.nonces.release(nonce)
                    log.warning("execution.watched_until_deadline", order=order.id,
                                nonce=nonce, deadline=order.deadline,
                                broadcasts=last.broadcasts)
                return None
            await self.record(order, S.DROPPED, f"vanished from the pool {last.broadcasts} times")
            await self.record(order, S.FAILED, "dropped")
            self.nonces.release(nonce)
            return Outcome(None, "dropped")
        waited = time.monotonic() - self._last_send.get(order.id, time.monotonic())
        if waited > self.policy.stuck_after_s:
            await self._bump(order, waited)
        return None

    def _attempt(self, order: Order, tx_hash: str) -> TxAttempt:
        for attempt in order.attempts:
            if attempt.tx_hash.lower() == tx_hash.lower():
                return attempt
        return order.attempts[-1]

    async def _on_receipt(self, order: Order, receipt: Any) -> Outcome | None:
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        block = int(receipt["blockNumber"])
        # the block the receipt is from: the finality watch compares it with the chain's
        block_hash = receipt.get("blockHash")
        order.block_hash = "0x" + bytes(block_hash).hex() if block_hash else ""
        if order.state not in (S.MINED, S.REVERTED) or order.mined_hash != tx_hash:
            order.mined_hash, order.block_number = tx_hash, block
            ok = int(receipt["status"]) == 1
            await self.record(order, S.MINED if ok else S.REVERTED, f"block {block}")
        order.block_number = block
        if self.policy.confirmations > 1:
            head = int(await self.w3.eth.block_number)
            if head - block + 1 < self.policy.confirmations:
                return None
        if order.nonce is not None:
            self.nonces.mark_done(order.nonce)
        return Outcome(receipt)

    async def _expired(self, order: Order) -> bool:
        """Past the order's deadline on the chain's own clock (a swap would revert)."""
        if not order.deadline:
            return False
        block = await self.w3.eth.get_block("latest")
        return int(block["timestamp"]) >= order.deadline

    async def _bump(self, order: Order, waited: float) -> None:
        if await self._expired(order):  # a bumped copy would only revert EXPIRED for more gas
            self._last_send[order.id] = time.monotonic()
            return
        last = order.attempts[-1]
        try:
            fees = bump(Fees(last.max_fee_per_gas, last.max_priority_fee_per_gas), self.caps,
                        self.policy.bump_bps)
        except FeeCapExceeded as exc:
            log.warning("execution.cannot_bump", order=order.id, error=str(exc))
            self._last_send[order.id] = time.monotonic()
            return
        if order.state != S.REPLACED:
            await self.record(order, S.REPLACED, f"no receipt after {waited:.1f}s: bumping fees")
        try:
            attempt = await self._sign(order, last.gas, last.nonce, fees)
        except SignerRefused as exc:  # halted: the pending transaction stays as it is
            log.warning("execution.bump_refused", order=order.id, error=str(exc))
            self._last_send[order.id] = time.monotonic()
            return
        order.attempts.append(attempt)
        await self.record(order, S.SIGNED, f"replacement {attempt.tx_hash} for nonce {last.nonce}")
        await self._send(order, attempt, "replacement broadcast")
