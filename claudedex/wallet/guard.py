"""The signer's own limits: the last, independent line a bad trade must cross.

Why here and not in the strategy or risk layer: those can have bugs. Whatever they ask
for, nothing is signed when the engine is halted (checked at the moment of signing and
again before the signature is released), on another chain, to a contract that is not an
allow-listed router, with calldata other than the Uniswap V2 Router02 functions listed
below (recipient = our own account), above the per-trade cap, past the daily cap, or as
an ERC-20 ``approve`` to anything but a router. Every refusal and signature is audited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog
from eth_abi.abi import decode as abi_decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from claudedex.clock import Clock, WallClock
from claudedex.errors import EngineHalted, SignerRefused
from claudedex.wallet.base import Signer
from claudedex.wallet.txcodec import UnsignedTx, normalize

log = structlog.get_logger(__name__)

DAY_S = 86_400.0
Audit = Callable[[str, dict[str, Any]], Awaitable[None]]


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


# Router02 function → (argument types, index of the recipient `to` argument)
_ROUTER_FUNCTIONS: dict[str, tuple[list[str], int]] = {
    "swapExactTokensForTokens": (["uint256", "uint256", "address[]", "address", "uint256"], 3),
    "swapTokensForExactTokens": (["uint256", "uint256", "address[]", "address", "uint256"], 3),
    "swapExactETHForTokens": (["uint256", "address[]", "address", "uint256"], 2),
    "swapTokensForExactETH": (["uint256", "uint256", "address[]", "address", "uint256"], 3),
    "swapExactTokensForETH": (["uint256", "uint256", "address[]", "address", "uint256"], 3),
    "swapETHForExactTokens": (["uint256", "address[]", "address", "uint256"], 2),
    "swapExactTokensForTokensSupportingFeeOnTransferTokens": (
        ["uint256", "uint256", "address[]", "address", "uint256"],
        3,
    ),
    "swapExactETHForTokensSupportingFeeOnTransferTokens": (
        ["uint256", "address[]", "address", "uint256"],
        2,
    ),
    "swapExactTokensForETHSupportingFeeOnTransferTokens": (
        ["uint256", "uint256", "address[]", "address", "uint256"],
        3,
    ),
    "addLiquidity": (
        ["address", "address", "uint256", "uint256", "uint256", "uint256", "address", "uint256"],
        6,
    ),
    "addLiquidityETH": (["address", "uint256", "uint256", "uint256", "address", "uint256"], 4),
    "removeLiquidity": (
        ["address", "address", "uint256", "uint256", "uint256", "address", "uint256"],
        5,
    ),
    "removeLiquidityETH": (["address", "uint256", "uint256", "uint256", "address", "uint256"], 4),
    "removeLiquidityETHSupportingFeeOnTransferTokens": (
        ["address", "uint256", "uint256", "uint256", "address", "uint256"],
        4,
    ),
}
ROUTER_SELECTORS: dict[bytes, tuple[str, list[str], int]] = {
    _selector(f"{name}({','.join(types)})"): (name, types, to_index)
    for name, (types, to_index) in _ROUTER_FUNCTIONS.items()
}
APPROVE_SELECTOR = _selector("approve(address,uint256)")


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
        # value already counted per nonce: a fee bump re-signs the same nonce, and at most
        # one transaction per nonce can be mined, so only an increase counts again.
        self._counted: dict[tuple[int, int], int] = {}

    @property
    def address(self) -> str:
        return self._inner.address

    def __repr__(self) -> str:
        return f"GuardedSigner({self._inner!r})"

    def spent_today_wei(self) -> int:
        """ETH value signed in the rolling 24 h window ending now."""
        since = self._clock.now() - DAY_S
        return sum(v for at, v in self._store.load() if at > since)

    async def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        async with self._lock:
            try:
                unsigned = normalize(tx)
            except SignerRefused as exc:
                await self._refuse("malformed", str(exc), tx, None)
                raise
            await self._check(unsigned, tx)
            raw = await self._inner.sign_transaction(tx)
            if self._is_halted():  # halted while the device was waiting for a button
                await self._refuse("halted", "engine halted during signing", tx, unsigned)
                raise EngineHalted("engine halted while signing; signature discarded")
            await self._emit("signer.signed", self._describe(unsigned, tx))
            extra = self._new_spend(unsigned)
            if extra:
                self._store.record(self._clock.now(), extra)
            self._counted[(unsigned.chain_id, unsigned.nonce)] = max(
                unsigned.value, self._counted.get((unsigned.chain_id, unsigned.nonce), 0))
            if len(self._counted) > 4096:
                del self._counted[next(iter(self._counted))]
            return raw

    def _new_spend(self, tx: UnsignedTx) -> int:
        """Value this signature adds to the day: a replacement only adds its increase."""
        return max(0, tx.value - self._counted.get((tx.chain_id, tx.nonce), 0))

    async def _check(self, tx: UnsignedTx, raw: dict[str, Any]) -> None:
        if self._is_halted():
            await self._refuse("halted", "engine halted", raw, tx)
            raise EngineHalted("engine halted: nothing is signed until an operator resumes")
        problem = self._problem(tx)
        if problem is not None:
            code, text = problem
            await self._refuse(code, text, raw, tx)
            raise SignerRefused(text)

    def _problem(self, tx: UnsignedTx) -> tuple[str, str] | None:
        if tx.chain_id != self._chain_id:
            return "chain", f"chain id {tx.chain_id} is not this profile's {self._chain_id}"
        if not tx.to:
            return "target", "contract creation is not allowed"
        fee = tx.max_fee_per_gas if tx.type == 2 else tx.gas_price
        if self._max_fee is not None and fee > self._max_fee:
            return "gas", f"fee per gas {fee} wei over the cap {self._max_fee} wei"
        target = to_checksum_address(tx.to)
        selector = tx.data[:4]
        if target.lower() in self._routers:
            problem = self._router_call(tx, selector)
        elif self._approvable(target):
            problem = self._approve_call(tx, selector)
        else:
            return "target", f"{target} is not an allow-listed router"
        if problem is not None:
            return problem
        if tx.value > self._per_trade_cap:
            return "per_trade_cap", (
                f"value {tx.value} wei over the per-trade cap {self._per_trade_cap} wei"
            )
        spent = self.spent_today_wei()
        if spent + self._new_spend(tx) > self._daily_cap:
            return "daily_cap", (
                f"value {tx.value} wei would bring today's {spent} wei over the daily cap "
                f"{self._daily_cap} wei"
            )
        return None

    def _router_call(self, tx: UnsignedTx, selector: bytes) -> tuple[str, str] | None:
        known = ROUTER_SELECTORS.get(selector)
        if known is None:
            return "selector", f"router call 0x{selector.hex()} is not an allowed Router02 function"
        name, types, to_index = known
        try:
            args = abi_decode(types, tx.data[4:])
        except Exception:  # noqa: BLE001  # eth-abi raises many decoder types; all mean "bad"
            return "calldata", f"{name}: calldata does not decode"
        recipient = to_checksum_address(args[to_index])
        if recipient != self.address:
            return "recipient", f"{name} sends proceeds to {recipient}, not to {self.address}"
        return None

    def _approvable(self, token: str) -> bool:
        rule = self._approve_tokens
        if callable(rule):
            return bool(rule(token))
        return token.lower() in {t.lower() for t in rule}

    def _approve_call(self, tx: UnsignedTx, selector: bytes) -> tuple[str, str] | None:
        target = to_checksum_address(tx.to)
        if selector != APPROVE_SELECTOR:
            return "target", f"{target} is not an allow-listed router (only approve is allowed)"
        try:
            spender, _amount = abi_decode(["address", "uint256"], tx.data[4:])
        except Exception:  # noqa: BLE001  # eth-abi raises many decoder types; all mean "bad"
            return "calldata", "approve: calldata does not decode"
        if str(spender).lower() not in self._routers:
            return "spender", f"approve to {to_checksum_address(spender)}, which is not a router"
        if tx.value:
            return "value", "approve must not carry ETH"
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
