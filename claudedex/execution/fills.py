"""What a mined swap actually delivered, read from its receipt's logs.

Why logs and not the quote: fee-on-transfer tokens, other swaps in the same block and the
router's own rounding make the quote an estimate; the ``Transfer`` to us (a buy) or WETH's
``Withdrawal`` by the router (a sell for ETH) is what we got.
"""

from __future__ import annotations

from typing import Any

from claudedex.execution import calls


def _topics(log: Any) -> list[bytes]:
    return [bytes(t) for t in log["topics"]]


def _data_uint(log: Any) -> int:
    data = log["data"]
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    return int.from_bytes(raw[:32], "big")


def tokens_received(receipt: Any, token: str, recipient: str) -> int:
    """Sum of ``token`` Transfer events to ``recipient`` in the receipt."""
    total = 0
    for log in receipt["logs"]:
        topics = _topics(log)
        if (str(log["address"]).lower() == token.lower() and len(topics) == 3
                and topics[0] == calls.TRANSFER_TOPIC
                and calls.topic_address(topics[2]).lower() == recipient.lower()):
            total += _data_uint(log)
    return total


def eth_unwrapped(receipt: Any, weth: str, router: str) -> int:
    """Sum of WETH ``Withdrawal`` events by ``router`` (the ETH a *ForETH swap paid out)."""
    total = 0
    for log in receipt["logs"]:
        topics = _topics(log)
        if (str(log["address"]).lower() == weth.lower() and len(topics) == 2
                and topics[0] == calls.WITHDRAWAL_TOPIC
                and calls.topic_address(topics[1]).lower() == router.lower()):
            total += _data_uint(log)
    return total


def gas_cost(receipt: Any) -> int:
    price = receipt.get("effectiveGasPrice", 0) or 0
    return int(receipt["gasUsed"]) * int(price)


def shortfall_bps(expected: int, received: int) -> int:
    """How far ``received`` fell under ``expected``, in bps (0 when at or above)."""
    if expected <= 0 or received >= expected:
        return 0
    return (expected - received) * 10_000 // expected


def short_fill_warning(order_id: str, expected: int, minimum: int, slippage_bps: int,
                       received: int) -> tuple[str, str] | None:
    """(level, message) when a fill fell under its min-out (error) or more than its slippage
    under the quote (warning), else None. The router's min-out should make the first
    impossible: a token that lies about balances, a tax switched on, or a fill model gone
    wrong; the operator sees it either way."""
    short = shortfall_bps(expected, received)
    if received >= minimum and short <= max(slippage_bps, 0):
        return None
    below = " BELOW MIN-OUT" if received < minimum else ""
    return ("error" if below else "warning",
            f"fill of {order_id} received {received}, {short} bps under the quote "
            f"{expected}{below} (min-out {minimum})")
