"""The signer's own limits: the last, independent line a bad trade must cross.

Why here and not in the strategy or risk layer: those can have bugs. Whatever they ask
for, nothing is signed when the engine is halted (checked at the moment of signing and
again before the signature is released), on another chain, to a contract that is not an
allow-listed router, with calldata other than a Uniswap V2 Router02 swap (recipient = our
own account), spending more than the per-trade cap or past the daily cap, or as an ERC-20
``approve`` to anything but a router or for more than the wallet holds. Every refusal and
signature is audited.

What a transaction spends is read from its calldata (:mod:`claudedex.wallet.spend`): the
ETH it carries plus, for a swap into anything but the quote asset, its input (WETH as is,
any other token valued at current reserves by the kernel's ``valuer``). A direct sell of a
token into the quote asset (straight, or through one of the profile's ``chain.route_via``
quote assets) is an exit to our own account: it is never blocked by the caps
(a daily cap that blocks a stop-loss turns a cap into a loss). The inner signer is handed
exactly the frozen transaction that was checked, never the caller's dict.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog
from eth_utils.address import to_checksum_address

from claudedex.clock import Clock, WallClock
from claudedex.errors import EngineHalted, SignerRefused
from claudedex.wallet.base import Signer
from claudedex.wallet.spend import (
    APPROVE_SELECTOR,
    SWAP_SELECTORS,
    UNLIMITED,
    CalldataError,
    decode_approve,
    decode_swap,
)
from claudedex.wallet.txcodec import UnsignedTx, normalize

log = structlog.get_logger(__name__)

DAY_S = 86_400.0
Audit = Callable[[str, dict[str, Any]], Awaitable[None]]


Valuer = Callable[[str, int], Awaitable[int | None]]  # (token, amount) -> wei, None: unknown
BalanceOf = Callable[[str], Awaitable[int]]  # token -> our balance in its base units
MAX_GAS = 3_000_000  # a V2 swap or approve needs < 400k even with fee-on-transfer tokens

# Router02 swap selector -> (name, argument types, recipient index); the planner checks an
# aggregator's calldata against the same list.
ROUTER_SELECTORS: dict[bytes, tuple[str, list[str], int]] = {
    sel: (name, types, to_index) for sel, (name, types, to_index, _) in SWAP_SELECTORS.items()
}


class SpendStore(Protocol):
    """Where the daily-cap window lives; in memory by default, persist it if you like."""

    def load(self) -> list[tuple[float, int]]: ...

    def record(self, at: float, value_wei: int) -> None: ...


class MemorySpendStore:
    def __init__(self) -> None:
        self._spends: list[tuple[float, int]] = []

    def load(self) -> list[tuple[float, int]]:
        return list(self._spends)

    def record(self, at: float, value_wei: int) -> None:
        self._spends.append((at, value_wei))


def any_token(_address: str) -> bool:
    """Approve-target rule for dynamic token sets: any token, as long as the spender is a
    router (the spender check is what protects the funds)."""
    return True


class GuardedSigner:
    """Wraps a :class:`Signer`; refuses and audits anything outside the limits."""

    def __init__(
        self,
        inner: Signer,
        *,
        chain_id: int,
        per_trade_cap_wei: int,
        daily_cap_wei: int,
        allowed_targets: set[str],
        allowed_approve_tokens: set[str] | Callable[[str], bool],
        is_halted: Callable[[], bool],
        audit: Audit | None = None,
        clock: Clock | None = None,
        max_fee_per_gas_wei: int | None = None,
        spend_store: SpendStore | None = None,
        quote_token: str,
        valuer: Valuer | None = None,
        balance_of: BalanceOf | None = None,
        allow_unlimited_approve: bool = False,
        max_gas: int = MAX_GAS,
        route_via: tuple[str, ...] = (),
    ) -> None:
        self._inner = inner
        self.kind = inner.kind
        self._chain_id = chain_id
        self._per_trade_cap = per_trade_cap_wei
        self._daily_cap = daily_cap_wei
        self._routers = {a.lower() for a in allowed_targets}
        self._approve_tokens = allowed_approve_tokens
        self._is_halted = is_halted
        self._audit = audit
        self._clock: Clock = clock or WallClock()
        self._max_fee = max_fee_per_gas_wei
        self._store: SpendStore = spend_store or MemorySpendStore()
        self._lock = asyncio.Lock()  # caps are checked and spent atomically
        self._quote = quote_token.lower()
        self._valuer = valuer
        self._balance_of = balance_of
        self._unlimited_ok = allow_unlimited_approve
        self._max_gas = max_gas
        # the profile's other quote assets (chain.route_via): a trusted middle hop of an exit
        self._via = {a.lower() for a in route_via} - {self._quote}
        # spend already counted per nonce: a fee bump re-signs the same nonce, and at most
        # one transaction per nonce can be mined, so only an increase counts again.
        self._counted: dict[tuple[int, int], int] = {}

    @property
    def address(self) -> str:
        return self._inner.address

    def __repr__(self) -> str:
        return f"GuardedSigner({self._inner!r})"

    def spent_today_wei(self) -> int:
        """Quote value (wei) signed in the rolling 24 h window ending now."""
        since = self._clock.now() - DAY_S
        return sum(v for at, v in self._store.load() if at > since)

    async def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        async with self._lock:
            unsigned = await self._normalized(tx)
            spend = await self._check(unsigned, tx)
            # exactly what was checked: a caller that changes its dict now changes nothing
            raw = await self._inner.sign_transaction(unsigned.to_dict())
            if self._is_halted():  # halted while the device was waiting for a button
                await self._refuse("halted", "engine halted during signing", tx, unsigned)
                raise EngineHalted("engine halted while signing; signature discarded")
            await self._emit("signer.signed",
                             dict(self._describe(unsigned, tx), spend_wei=str(spend)))
            key = (unsigned.chain_id, unsigned.nonce)
            extra = self._new_spend(key, spend)
            if extra:
                self._store.record(self._clock.now(), extra)
            self._counted[key] = max(spend, self._counted.get(key, 0))
            if len(self._counted) > 4096:
                del self._counted[next(iter(self._counted))]
            return raw

    async def authorize(self, tx: dict[str, Any], recipient: str) -> int:
        """Check ``tx`` as :meth:`sign_transaction` would and count its spend, without a
        signature: a paper fill (nothing is sent) spends the same caps a live send does.

        ``recipient`` is the account the swap must pay (the paper account). Returns the
        spend in quote wei; raises :class:`SignerRefused` (audited) or
        :class:`~claudedex.errors.EngineHalted` as signing would.
        """
        async with self._lock:
            unsigned = await self._normalized(tx)
            spend = await self._check(unsigned, tx, recipient=recipient)
            await self._emit("signer.authorized_paper",
                             dict(self._describe(unsigned, tx), spend_wei=str(spend)))
            if spend:
                self._store.record(self._clock.now(), spend)  # every paper fill: no nonce
            return spend

    async def _normalized(self, tx: dict[str, Any]) -> UnsignedTx:
        """``tx`` as the signer reads it; a malformed one is refused (audited) and raised."""
        try:
            return normalize(tx)
        except SignerRefused as exc:
            await self._refuse("malformed", str(exc), tx, None)
            raise

    def _new_spend(self, key: tuple[int, int], spend: int) -> int:
        """Value this signature adds to the day: a replacement only adds its increase."""
        return max(0, spend - self._counted.get(key, 0))

    async def _check(self, tx: UnsignedTx, raw: dict[str, Any],
                     recipient: str | None = None) -> int:
        """Refuse (audited) or return what the transaction spends, in quote wei."""
        if self._is_halted():
            await self._refuse("halted", "engine halted", raw, tx)
            raise EngineHalted("engine halted: nothing is signed until an operator resumes")
        problem, spend = await self._problem(tx, recipient or self.address)
        if problem is not None:
            code, text = problem
            await self._refuse(code, text, raw, tx)
            raise SignerRefused(text)
        return spend

    async def _problem(self, tx: UnsignedTx,
                       recipient: str) -> tuple[tuple[str, str] | None, int]:
        if tx.chain_id != self._chain_id:
            return ("chain", f"chain id {tx.chain_id} is not this profile's "
                    f"{self._chain_id}"), 0
        if not tx.to:
            return ("target", "contract creation is not allowed"), 0
        fee = tx.max_fee_per_gas if tx.type == 2 else tx.gas_price
        if self._max_fee is not None and fee > self._max_fee:
            return ("gas", f"fee per gas {fee} wei over the cap {self._max_fee} wei"), 0
        if tx.gas > self._max_gas:  # fees are not capped by value: bound what one can burn
            return ("gas", f"gas limit {tx.gas} over the {self._max_gas} a swap can need"), 0
        target = to_checksum_address(tx.to)
        if target.lower() in self._routers:
            problem, spend = await self._router_call(tx, recipient)
        elif self._approvable(target):
            problem, spend = await self._approve_call(tx), tx.value
        else:
            return ("target", f"{target} is not an allow-listed router"), 0
        if problem is not None:
            return problem, spend
        if spend > self._per_trade_cap:
            return ("per_trade_cap", f"spends {spend} wei, over the per-trade cap "
                    f"{self._per_trade_cap} wei"), spend
        spent = self.spent_today_wei()
        if spent + self._new_spend((tx.chain_id, tx.nonce), spend) > self._daily_cap:
            return ("daily_cap", f"spending {spend} wei would bring today's {spent} wei over "
                    f"the daily cap {self._daily_cap} wei"), spend
        return None, spend

    async def _router_call(self, tx: UnsignedTx,
                           recipient: str) -> tuple[tuple[str, str] | None, int]:
        """A Router02 swap to us; returns what it spends (ETH value + input into non-quote)."""
        try:
            swap = decode_swap(tx.data)
        except CalldataError as exc:
            return ("calldata", str(exc)), tx.value
        if swap is None:
            return ("selector", f"router call 0x{tx.data[:4].hex()} is not an allowed "
                    "Router02 swap"), tx.value
        if swap.recipient.lower() != recipient.lower():
            return ("recipient", f"{swap.function} sends proceeds to {swap.recipient}, not to "
                    f"{recipient}"), tx.value
        if not swap.token_in:
            return None, tx.value  # ETH in: its value is the spend
        if swap.token_in.lower() == self._quote:
            # quote leaving the wallet is a spend whatever the path brings back (a loop
            # WETH -> X -> WETH with min-out 1 hands it to whoever owns X's pool)
            return None, tx.value + swap.amount_in
        if swap.ends_in(self._quote) and (
                len(swap.path) == 2 or (len(swap.path) == 3 and swap.path[1].lower() in self._via)):
            # an exit: a token sold into the quote asset, straight or through one of the
            # profile's own quote assets (the planner's TOKEN -> USDC -> WETH stop-loss)
            return None, tx.value
        value = await self._valuer(swap.token_in, swap.amount_in) if self._valuer else None
        if value is None:
            return ("value", f"{swap.function}: cannot value {swap.amount_in} of "
                    f"{swap.token_in} (no pool with the quote asset)"), tx.value
        return None, tx.value + value

    def _approvable(self, token: str) -> bool:
        rule = self._approve_tokens
        if callable(rule):
            return bool(rule(token))
        return token.lower() in {t.lower() for t in rule}

    async def _approve_call(self, tx: UnsignedTx) -> tuple[str, str] | None:
        target = to_checksum_address(tx.to)
        if tx.data[:4] != APPROVE_SELECTOR:
            return "target", f"{target} is not an allow-listed router (only approve is allowed)"
        try:
            spender, amount = decode_approve(tx.data)
        except CalldataError as exc:
            return "calldata", str(exc)
        if spender.lower() not in self._routers:
            return "spender", f"approve to {spender}, which is not a router"
        if tx.value:
            return "value", "approve must not carry ETH"
        if amount >= UNLIMITED and not self._unlimited_ok:
            return "allowance", "an unlimited allowance is refused (signer.allow_unlimited_approve)"
        if amount and self._balance_of is not None and not self._unlimited_ok:
            held = await self._balance_of(target)
            if amount > held:
                return "allowance", (f"approve of {amount} exceeds the {held} this wallet holds "
                                     f"of {target}")
        return None

    def _describe(self, tx: UnsignedTx | None, raw: dict[str, Any]) -> dict[str, Any]:
        if tx is None:
            return {"address": self.address, "to": str(raw.get("to", ""))}
        return {
            "address": self.address,
            "chain_id": tx.chain_id,
            "to": tx.to_checksum,
            "value_wei": str(tx.value),
            "nonce": tx.nonce,
            "selector": "0x" + tx.data[:4].hex(),
            "signer": self.kind,
        }

    async def _refuse(
        self, code: str, reason: str, raw: dict[str, Any], tx: UnsignedTx | None
    ) -> None:
        details = {**self._describe(tx, raw), "code": code, "reason": reason}
        log.warning("signer.refused", **details)
        await self._emit("signer.refused", details, fail_closed=False)

    async def _emit(self, kind: str, details: dict[str, Any], *, fail_closed: bool = True) -> None:
        """Audit; a signature is never released unaudited (a refusal is raised anyway)."""
        if self._audit is None:
            return
        try:
            await self._audit(kind, details)
        except Exception as exc:  # noqa: BLE001  # any audit-sink failure: log, then fail closed
            log.error("signer.audit_failed", kind=kind, error=repr(exc))
            if fail_closed:
                raise SignerRefused(f"audit log unavailable ({exc!r}); nothing signed") from exc
