"""Count failed JSON-RPC calls on the engine's chain connection, for the RPC-errors alert.

Why at the provider: every chain read (web3's own calls and ``ChainReader``'s raw requests)
goes through ``provider.make_request``, so one wrapper sees them all. A revert is an answer
(the safety checks probe with calls that are expected to revert), so only calls that got no
answer ("transport": refused, timed out, HTTP error) and error objects that are not EVM
failures ("rpc": rate limited, unknown method, internal error) are counted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OnError = Callable[[str, str], None]  # (method, kind): kind is "transport" or "rpc"
_EVM_FAILURES = ("revert", "out of gas", "invalid opcode", "stack underflow", "stack overflow")


def is_evm_failure(error: Any) -> bool:
    """Whether a JSON-RPC error object reports an EVM failure (an answer, not an error)."""
    if not isinstance(error, dict):
        return False
    if error.get("code") == 3:
        return True
    message = str(error.get("message", "")).lower()
    return any(word in message for word in _EVM_FAILURES)


def count_rpc_errors(w3: Any, on_error: OnError) -> None:
    """Wrap ``w3.provider.make_request`` so each failed call reports ``on_error(method,
    kind)``; call once, before the first request (web3 composes its request function then).
    The call's result or exception is passed on unchanged."""
    provider = w3.provider
    inner = provider.make_request

    async def make_request(method: Any, params: Any) -> Any:
        try:
            response = await inner(method, params)
        except Exception:
            on_error(str(method), "transport")
            raise
        error = response.get("error") if isinstance(response, dict) else None
        if error is not None and not is_evm_failure(error):
            on_error(str(method), "rpc")
        return response

    provider.make_request = make_request
