"""An order and its transaction attempts, serialisable to one journal snapshot.

Why a full snapshot per journal entry: recovery reads only the latest entry of an open
order and must rebuild everything from it (route, limits, every raw transaction signed so
far). Amounts are written as decimal strings so no JSON reader ever rounds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claudedex.domain import Side, TradeProposal
from claudedex.execution.states import OrderState, check_transition


@dataclass(slots=True)
class TxAttempt:
    """One signed transaction for an order; bumps share the nonce, hashes differ."""

    tx_hash: str
    raw: str  # 0x-hex signed transaction, kept for rebroadcast after a crash
    nonce: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int
    gas: int
    broadcasts: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "tx_hash": self.tx_hash, "raw": self.raw, "nonce": self.nonce,
            "max_fee_per_gas": str(self.max_fee_per_gas),
            "max_priority_fee_per_gas": str(self.max_priority_fee_per_gas),
            "gas": self.gas, "broadcasts": self.broadcasts,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TxAttempt:
        return cls(
            tx_hash=str(data["tx_hash"]), raw=str(data["raw"]), nonce=int(data["nonce"]),
            max_fee_per_gas=int(data["max_fee_per_gas"]),
            max_priority_fee_per_gas=int(data["max_priority_fee_per_gas"]),
            gas=int(data["gas"]), broadcasts=int(data.get("broadcasts", 0)),
        )  # fmt: skip


@dataclass(slots=True)
class Order:
    """What execution knows about one trade, from intent to fill."""

    id: str
    proposal_id: str
    side: Side
    token: str
    amount_in: int
    state: OrderState = OrderState.INTENT
    kind: str = "swap"  # "swap" | "approve" (a sell's allowance) | "cancel" (nonce gap)
    venue: str = ""
    router: str = ""
    to: str = ""  # the contract the transaction calls
    data: str = ""  # 0x-hex calldata
    value: int = 0
    expected_out: int = 0
    amount_out_min: int = 0
    deadline: int = 0
    slippage_bps: int = 0
    fee_on_transfer: bool = False
    slippage_cap_bps: int = 0  # 0: the profile's max_slippage_bps (exits: the exit cap)
    approved_min_out: int = 0  # the min-out the operator approved: never filled below it
    impact_cap_bps: int = 0  # 0: the profile's max_price_impact_bps (exits: the exit limit)
    price_impact_bps: int = 0  # the planned route's price impact (pool fees included)
    block_hash: str = ""  # of the block the fill was read from (reorg watch)
    attempts: list[TxAttempt] = field(default_factory=list)
    mined_hash: str = ""
    block_number: int = 0
    amount_out: int = 0
    gas_cost_wei: int = 0
    detail: str = ""

    @classmethod
    def from_proposal(cls, proposal: TradeProposal, order_id: str | None = None) -> Order:
        return cls(
            id=order_id or f"o-{proposal.id}", proposal_id=proposal.id, side=proposal.side,
            token=proposal.token, amount_in=proposal.amount_in, venue=proposal.venue,
            slippage_bps=proposal.slippage_bps, approved_min_out=proposal.min_amount_out,
        )  # fmt: skip

    @property
    def nonce(self) -> int | None:
        return self.attempts[-1].nonce if self.attempts else None

    @property
    def hashes(self) -> list[str]:
        return [a.tx_hash for a in self.attempts]

    def move(self, state: OrderState, detail: str = "") -> None:
        """Apply a transition in memory (the caller journals it before acting on it)."""
        check_transition(self.state, state)
        self.state = state
        self.detail = detail

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id, "proposal_id": self.proposal_id, "side": str(self.side),
            "token": self.token, "amount_in": str(self.amount_in), "state": str(self.state),
            "kind": self.kind, "venue": self.venue, "router": self.router, "to": self.to,
            "data": self.data, "value": str(self.value), "expected_out": str(self.expected_out),
            "amount_out_min": str(self.amount_out_min), "deadline": self.deadline,
            "slippage_bps": self.slippage_bps, "fee_on_transfer": self.fee_on_transfer,
            "approved_min_out": str(self.approved_min_out),
            "impact_cap_bps": self.impact_cap_bps, "price_impact_bps": self.price_impact_bps,
            "block_hash": self.block_hash,
            "attempts": [a.to_json() for a in self.attempts], "mined_hash": self.mined_hash,
            "block_number": self.block_number, "amount_out": str(self.amount_out),
            "gas_cost_wei": str(self.gas_cost_wei), "detail": self.detail,
        }  # fmt: skip

    def snapshot_since(self, earlier: dict[str, Any]) -> dict[str, Any]:
        """:meth:`snapshot`, for when only the state and detail moved since ``earlier`` (one
        of this order's): a copy of it with those two replaced, cheaper than a new one."""
        return {**earlier, "state": str(self.state), "detail": self.detail,
                "attempts": [dict(a) for a in earlier["attempts"]]}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Order:
        return cls(
            id=str(data["id"]), proposal_id=str(data["proposal_id"]), side=Side(data["side"]),
            token=str(data["token"]), amount_in=int(data["amount_in"]),
            state=OrderState(data["state"]), kind=str(data.get("kind", "swap")),
            venue=str(data.get("venue", "")), router=str(data.get("router", "")),
            to=str(data.get("to", "")), data=str(data.get("data", "")),
            value=int(data.get("value", 0)), expected_out=int(data.get("expected_out", 0)),
            amount_out_min=int(data.get("amount_out_min", 0)),
            deadline=int(data.get("deadline", 0)), slippage_bps=int(data.get("slippage_bps", 0)),
            fee_on_transfer=bool(data.get("fee_on_transfer", False)),
            approved_min_out=int(data.get("approved_min_out", 0)),
            impact_cap_bps=int(data.get("impact_cap_bps", 0)),
            price_impact_bps=int(data.get("price_impact_bps", 0)),
            block_hash=str(data.get("block_hash", "")),
            attempts=[TxAttempt.from_json(a) for a in data.get("attempts", [])],
            mined_hash=str(data.get("mined_hash", "")),
            block_number=int(data.get("block_number", 0)),
            amount_out=int(data.get("amount_out", 0)),
            gas_cost_wei=int(data.get("gas_cost_wei", 0)), detail=str(data.get("detail", "")),
        )  # fmt: skip
