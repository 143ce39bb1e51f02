"""The control channel's commands, mapped onto the engine facade's command API.

Why a table and not ad-hoc parsing in the server: each command names its arguments and
their types once; a malformed argument is a :class:`UserInputError` (exit 2 at the CLI),
never a traceback inside the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol

from claudedex.errors import UserInputError


class Facade(Protocol):
    """What the control channel needs from :class:`claudedex.engine.Engine`."""

    kernel: Any  # the Kernel once started (None before): the read views use it
    async def status(self) -> Any: ...
    async def trade(self, request: Any, progress: Callable[[str], None] | None = None) -> Any: ...
    async def approve(self, proposal_id: str, by: str = "operator") -> Any: ...
    async def reject(self, proposal_id: str, reason: str = "", by: str = "operator") -> None: ...
    async def override(self, proposal_id: str, *, amount_in: int | None = None,
                       slippage_bps: int | None = None, accept_risky: bool = False,
                       confirmation: str = "", by: str = "operator") -> Any: ...
    async def halt(self, reason: str = "emergency stop", by: str = "operator") -> Any: ...
    async def resume(self, *, confirm: bool, by: str = "operator") -> Any: ...
    def pending_proposals(self) -> list[Any]: ...


def _text(args: dict[str, Any], key: str, default: str | None = None) -> str:
    value = args.get(key, default)
    if not isinstance(value, str):
        raise UserInputError(f"control: argument {key!r} must be text")
    return value


def _opt_int(args: dict[str, Any], key: str) -> int | None:
    value = args.get(key)
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        raise UserInputError(f"control: argument {key!r} must be an integer") from None


def _plain(value: Any) -> Any:
    """A dataclass (status, proposal, halt state) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def serve_command(engine: Facade, cmd: str, args: dict[str, Any],
                        progress: Callable[[str], None]) -> Any:
    """Run one control command; returns JSON-ready data. Raises ClaudeDexError subclasses."""
    by = _text(args, "by", "control")
    if cmd == "status":
        return _plain(await engine.status())
    if cmd == "pending":
        return [_plain(p) for p in engine.pending_proposals()]
    if cmd == "trade":
        from claudedex.trade_request import TradeRequest

        request = TradeRequest.from_json(dict(args.get("request") or {}))
        return (await engine.trade(request, progress)).to_json()
    if cmd == "approve":
        return _plain(await engine.approve(_text(args, "proposal_id"), by=by))
    if cmd == "reject":
        await engine.reject(_text(args, "proposal_id"), reason=_text(args, "reason", ""), by=by)
        return None
    if cmd == "override":
        return _plain(await engine.override(
            _text(args, "proposal_id"), amount_in=_opt_int(args, "amount_in"),
            slippage_bps=_opt_int(args, "slippage_bps"),
            accept_risky=bool(args.get("accept_risky", False)),
            confirmation=_text(args, "confirmation", ""), by=by))
    if cmd == "halt":
        return _plain(await engine.halt(_text(args, "reason", "emergency stop"), by=by))
    if cmd == "resume":
        return _plain(await engine.resume(confirm=bool(args.get("confirm", False)), by=by))
    if cmd == "close":
        from claudedex.domain import Side
        from claudedex.trade_request import TradeRequest

        request = TradeRequest(Side.SELL, _text(args, "token"), "all",
                               slippage_bps=_opt_int(args, "slippage_bps") or 0,
                               by=by).validate()
        return (await engine.trade(request, progress)).to_json()
    if cmd in READS:
        return await _read(engine, cmd, args)
    raise UserInputError(f"control: unknown command {cmd!r}")


READS = frozenset({"pairs", "reports", "positions", "orders", "balances", "metrics", "audit",
                   "audit_verify"})


async def _read(engine: Facade, cmd: str, args: dict[str, Any]) -> Any:
    """The read-only views (:mod:`claudedex.control.views`) of the engine's kernel."""
    from claudedex.control import views

    kernel = views.need(engine.kernel)
    if cmd == "pairs":
        return views.pairs(kernel, args)
    if cmd == "reports":
        return views.reports(kernel, args)
    if cmd == "positions":
        return views.positions(kernel)
    if cmd == "orders":
        return await views.orders(kernel, args)
    if cmd == "balances":
        return await views.balances(kernel)
    if cmd == "metrics":
        return await views.metrics(kernel, _plain(await engine.status()))
    if cmd == "audit":
        return await views.audit_entries(kernel, args)
    return await views.audit_verify(kernel)
